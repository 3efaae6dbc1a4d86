"""Who sees and asks for monthly reports: staff see their unit's and its sub-units' (administrators:
every unit); leaders, supervisors and administrators ask for a month's report."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import OVERSEERS
from app.core.errors import PermissionDeniedError
from app.org.queries import subtree_ids


def report_unit_ids(user: User) -> set[int] | None:
    """Units whose reports the user may see: their unit and its sub-units; None: every unit (admins)."""
    if not user.is_staff:
        return set()
    if user.is_admin:
        return None
    return subtree_ids(user.unit_id) if user.unit_id is not None else set()


def can_see_unit(user: User, unit_id: int) -> bool:
    ids = report_unit_ids(user)
    return ids is None or unit_id in ids


def can_request_reports(user: User) -> bool:
    return user.has_role(OVERSEERS)


def require_request_role(user: User) -> None:
    if not can_request_reports(user):
        raise PermissionDeniedError("Chỉ lãnh đạo, cán bộ giám sát và quản trị lập được báo cáo")


def require_request(user: User, unit_id: int) -> None:
    require_request_role(user)
    if not can_see_unit(user, unit_id):
        raise PermissionDeniedError("Bạn chỉ lập được báo cáo cho đơn vị mình và đơn vị cấp dưới")
