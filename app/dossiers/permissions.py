"""Who may see a dossier. Citizens: their own, and their principals' while an authorisation covering
its procedure is valid. Staff: dossiers their unit holds or held.
Supervisors: dossiers any unit of their unit's subtree holds or held. Admins: everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from app.auth.models import User
from app.auth.roles import Role
from app.core.errors import NotFoundError
from app.dossiers.models import Dossier, DossierStep
from app.org.queries import subtree_ids
from app.representation.permissions import can_act_for
from app.representation.queries import represented_clause


def visibility_clause(user: User) -> ColumnElement[bool]:
    if user.is_admin:
        return true()
    if user.is_citizen:  # their own, and those of principals they represent now
        represented = represented_clause(user.id, Dossier.applicant_id, Dossier.procedure_code)
        return or_(Dossier.applicant_id == user.id, represented)
    if user.unit_id is None:
        return false()
    if user.role == Role.SUPERVISOR:  # held by any unit of their area
        units = subtree_ids(user.unit_id)
        held = exists(
            select(DossierStep.id).where(DossierStep.dossier_id == Dossier.id, DossierStep.unit_id.in_(units))
        )
        return or_(Dossier.receiving_unit_id.in_(units), Dossier.current_unit_id.in_(units), held)
    held = exists(
        select(DossierStep.id).where(
            DossierStep.dossier_id == Dossier.id, DossierStep.unit_id == user.unit_id
        )
    )
    return or_(Dossier.current_unit_id == user.unit_id, Dossier.receiving_unit_id == user.unit_id, held)


def can_view_dossier(user: User, dossier: Dossier) -> bool:
    if user.is_admin:
        return True
    if user.is_citizen:
        own = dossier.applicant_id == user.id
        return own or can_act_for(user, dossier.applicant_id, dossier.procedure_code)
    if user.unit_id is None:
        return False
    units = subtree_ids(user.unit_id) if user.role == Role.SUPERVISOR else {user.unit_id}
    if dossier.current_unit_id in units or dossier.receiving_unit_id in units:
        return True
    return any(step.unit_id in units for step in dossier.steps)


def require_view_dossier(user: User, dossier: Dossier) -> None:
    """Not visible → 404, the same answer as a code that does not exist (no probing of codes)."""
    if not can_view_dossier(user, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ '{dossier.code}'")
