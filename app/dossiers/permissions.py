"""Who may see a dossier. Citizens: their own. Staff: dossiers their unit holds or held.
Supervisors: everything in their unit's subtree. Admins: everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from app.auth.models import User
from app.auth.roles import Role
from app.core.errors import NotFoundError
from app.dossiers.models import Dossier, DossierStep
from app.org.queries import subtree_ids


def visibility_clause(user: User) -> ColumnElement[bool]:
    if user.is_admin:
        return true()
    if user.is_citizen:
        return Dossier.applicant_id == user.id
    if user.unit_id is None:
        return false()
    if user.role == Role.SUPERVISOR:
        units = subtree_ids(user.unit_id)
        return or_(Dossier.receiving_unit_id.in_(units), Dossier.current_unit_id.in_(units))
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
        return dossier.applicant_id == user.id
    if user.unit_id is None:
        return False
    if user.role == Role.SUPERVISOR:
        units = subtree_ids(user.unit_id)
        return dossier.receiving_unit_id in units or dossier.current_unit_id in units
    return user.unit_id in {dossier.current_unit_id, dossier.receiving_unit_id} | {
        s.unit_id for s in dossier.steps
    }


def require_view_dossier(user: User, dossier: Dossier) -> None:
    """Not visible → 404, the same answer as a code that does not exist (no probing of codes)."""
    if not can_view_dossier(user, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ '{dossier.code}'")
