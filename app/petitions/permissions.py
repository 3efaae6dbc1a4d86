"""Who may do what with a petition.

- File: citizens and visitors who are not signed in; staff accounts do not file petitions.
- Follow (read the answer, public or private, and rate it): the citizen who filed it, or for one filed
  without signing in, a browser that showed its follow-up key (app.petitions.access).
- Read as staff: officers of the unit holding it, supervisors of a unit above it, administrators.
- Answer and forward: reception officers, specialists and leaders of the unit holding it.
- The deadline setting: administrators.

A petition the caller may not read answers 404, as one that does not exist: codes cannot be probed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.auth.models import User
from app.auth.roles import OFFICERS, Role
from app.core.errors import NotFoundError, PermissionDeniedError
from app.org.queries import subtree_ids
from app.petitions.models import Petition


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_file(user: Any) -> bool:
    """Visitors (anonymously) and citizens; staff accounts file nothing in their own name."""
    return not _signed_in(user) or user.is_citizen


def require_can_file(user: Any) -> None:
    if not can_file(user):
        raise PermissionDeniedError(
            _("Phản ánh, kiến nghị do công dân gửi. Muốn gửi với tư cách cá nhân, vui lòng đăng xuất.")
        )


def is_petitioner(user: Any, petition: Petition) -> bool:
    return _signed_in(user) and petition.petitioner_id is not None and petition.petitioner_id == user.id


def can_work_petitions(user: Any) -> bool:
    """Officers have a petition queue for their unit."""
    return _signed_in(user) and user.has_role(OFFICERS) and user.unit_id is not None


def can_view_as_staff(user: User, petition: Petition) -> bool:
    if not _signed_in(user) or not user.is_staff:
        return False
    if user.is_admin:
        return True
    if user.unit_id is None:
        return False
    if user.unit_id == petition.unit_id:
        return True
    return user.role == Role.SUPERVISOR and petition.unit_id in subtree_ids(user.unit_id)


def require_view_as_staff(user: User, petition: Petition) -> None:
    if not _signed_in(user) or not user.is_staff:
        raise PermissionDeniedError(_("Trang này dành cho cán bộ, công chức."))
    if not can_view_as_staff(user, petition):
        raise NotFoundError(_("Không tìm thấy phản ánh, kiến nghị này"))


def can_handle(user: User, petition: Petition) -> bool:
    """Answer or forward: an officer of the unit holding it, while it is unanswered."""
    return can_work_petitions(user) and user.unit_id == petition.unit_id


def require_handle(user: User, petition: Petition) -> None:
    require_view_as_staff(user, petition)
    if not can_handle(user, petition):
        raise PermissionDeniedError(_("Chỉ cán bộ của đơn vị đang giữ phản ánh, kiến nghị mới được xử lý"))


def can_rate(user: Any, petition: Petition, granted: bool) -> bool:
    """The petitioner (signed in, or `granted` by the follow-up key), once it has been answered."""
    return (is_petitioner(user, petition) or granted) and petition.is_answered


def can_set_deadlines(user: Any) -> bool:
    return _signed_in(user) and user.is_admin
