"""Who may see a dossier. Citizens: their own. Staff: dossiers their unit holds or held.
Supervisors: everything in their unit's subtree. Admins: everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from app.auth.models import User
from app.core.errors import NotFoundError, PermissionDeniedError
from app.dossiers.models import Dossier, DossierStep
from app.org.queries import subtree_ids


def visibility_clause(user: User) -> ColumnElement[bool]:
    if user.role == "admin":
        return true()
    if user.role == "citizen":
        return Dossier.applicant_id == user.id
    if user.unit_id is None:
        return false()
    if user.role == "supervisor":
        units = subtree_ids(user.unit_id)
        return or_(Dossier.receiving_unit_id.in_(units), Dossier.current_unit_id.in_(units))
    held = exists(
        select(DossierStep.id).where(
            DossierStep.dossier_id == Dossier.id, DossierStep.unit_id == user.unit_id
        )
    )
    return or_(Dossier.current_unit_id == user.unit_id, Dossier.receiving_unit_id == user.unit_id, held)


def can_view_dossier(user: User, dossier: Dossier) -> bool:
    if user.role == "admin":
        return True
    if user.role == "citizen":
        return dossier.applicant_id == user.id
    if user.unit_id is None:
        return False
    if user.role == "supervisor":
        units = subtree_ids(user.unit_id)
        return dossier.receiving_unit_id in units or dossier.current_unit_id in units
    return user.unit_id in {dossier.current_unit_id, dossier.receiving_unit_id} | {
        s.unit_id for s in dossier.steps
    }


def require_view_dossier(user: User, dossier: Dossier) -> None:
    """Not visible → 404, the same answer as a code that does not exist (no probing of codes)."""
    if not can_view_dossier(user, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ '{dossier.code}'")


def require_can_attach(user: User, dossier: Dossier, is_result: bool) -> None:
    """Citizens add documents only when asked to supplement; staff only while their unit holds it,
    and only staff attach a result."""
    from app.workflow.engine import available_transitions

    if user.role == "citizen":
        allowed = not is_result and any(t.name == "supplement" for t in available_transitions(dossier, user))
    else:
        allowed = user.unit_id == dossier.current_unit_id and user.role in (
            "reception",
            "specialist",
            "leader",
        )
    if not allowed:
        raise PermissionDeniedError("Không được bổ sung tài liệu cho hồ sơ ở trạng thái này")
