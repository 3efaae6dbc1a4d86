"""Who may do what with filings received from the National Public Service Portal.

- Name the procedure of a held filing (one whose procedure the map cannot tell): the reception
  officers of the provincial Public Administration Service Centre, the unit whose dispatch queue
  also takes the dossiers whose unit cannot be told; administrators.
- See every filing and its state, retry a failed one, export and compare the catalogue: administrators.
- The LGSP's own calls are not a user's: they are signed (app.national.transport).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.auth.roles import Role
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.core.time import to_local


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_dispatch_officer(user: Any) -> bool:
    """A reception officer of the provincial centre (the dispatch queue's unit) today."""
    if not _signed_in(user) or user.role != Role.RECEPTION or user.unit_id is None:
        return False
    from app.workflow.routing import dispatch_unit

    unit = dispatch_unit(current_app.config["ORG_LEVELS"][0], to_local(utcnow()).date())
    return unit is not None and unit.id == user.unit_id


def can_resolve(user: Any) -> bool:
    return _signed_in(user) and (user.role == Role.ADMIN or is_dispatch_officer(user))


def require_can_resolve(user: Any) -> None:
    if not can_resolve(user):
        raise PermissionDeniedError(
            "Chỉ cán bộ tiếp nhận của Trung tâm Phục vụ hành chính công tỉnh xác định thủ tục cho hồ sơ này"
        )
