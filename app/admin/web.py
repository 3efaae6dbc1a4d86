"""The admin blueprint and its guard: every admin page and post needs a signed-in administrator."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.core.errors import AppError, PermissionDeniedError
from app.extensions import login_manager

bp = Blueprint("admin_pages", __name__, url_prefix="/admin")


@bp.before_request
def _require_admin():  # noqa: ANN202
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        raise PermissionDeniedError(_("Trang này chỉ dành cho quản trị viên"))
    return None


def show_errors(form: FlaskForm, exc: AppError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's field messages next to the form's fields; the rest goes to a flash message."""
    leftover = []
    for key, message in (exc.details or {}).items() if isinstance(exc.details, dict) else ():
        name = (aliases or {}).get(key, key)
        text = message if isinstance(message, str) else "; ".join(map(str, message))
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, _(text)]
        else:
            leftover.append(_(text))
    flash(" ".join([_(exc.message), *leftover]), "error")
