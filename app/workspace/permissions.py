"""Who may use the officer workspace's counter intake: the one-stop reception officers."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import Role
from app.core.errors import PermissionDeniedError


def can_intake(user: User) -> bool:
    return user.role == Role.RECEPTION


def require_intake(user: User) -> None:
    if not can_intake(user):
        raise PermissionDeniedError("Chỉ cán bộ tiếp nhận (một cửa) được tiếp nhận hồ sơ tại quầy")
