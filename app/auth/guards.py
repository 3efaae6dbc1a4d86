"""Guards of the session-signed pages (the API has app.auth.permissions): staff-only views and
admin-only blueprints. A signed-out visitor is sent to sign in; a signed-in one without the role
gets 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import PermissionDeniedError
from app.extensions import login_manager


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in staff only; citizens get 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            raise PermissionDeniedError(_("Trang này dành cho cán bộ, công chức."))
        return view(*args, **kwargs)

    return wrapper


def require_admin_page() -> Any:
    """`blueprint.before_request(require_admin_page)`: every page of the blueprint is admin-only."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        raise PermissionDeniedError(_("Trang này chỉ dành cho quản trị viên"))
    return None
