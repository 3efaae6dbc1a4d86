"""Who may act for whom. A representative acts for a principal while an authorisation covering the
procedure is valid; staff at the counter act for the applicant they register (no authorisation
needed: they are the office). Each side of an authorisation may read its document."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import NotFoundError, PermissionDeniedError
from app.representation.models import Authorisation
from app.representation.queries import find_valid_authorisation


def can_act_for(user: User, principal_id: int | None, procedure_code: str) -> bool:
    """A citizen's or organisation's account acting for another one (never staff, never oneself)."""
    if user.is_staff or principal_id is None or principal_id == user.id:
        return False
    return find_valid_authorisation(user.id, principal_id, procedure_code) is not None


def require_can_act_for(user: User, principal_id: int, procedure_code: str) -> None:
    if not can_act_for(user, principal_id, procedure_code):
        raise PermissionDeniedError(
            "Bạn không có giấy ủy quyền còn hiệu lực để nộp hồ sơ thủ tục này thay cho người/tổ chức này",
            {"on_behalf_of": principal_id},
        )


def can_grant(user: User) -> bool:
    """Citizens and organisations authorise representatives; staff accounts do not."""
    return user.is_authenticated and user.is_citizen


def require_party(user: User, authorisation: Authorisation) -> None:
    """The principal or the representative; anyone else is told it does not exist."""
    if user.id not in (authorisation.principal_id, authorisation.representative_id):
        raise NotFoundError(f"Không tìm thấy giấy ủy quyền #{authorisation.id}")


def require_principal(user: User, authorisation: Authorisation) -> None:
    if user.id != authorisation.principal_id:
        require_party(user, authorisation)
        raise PermissionDeniedError("Chỉ người ủy quyền mới thu hồi được giấy ủy quyền")
