"""The admin blueprint and its guard: every admin page and post needs a signed-in administrator."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.auth.guards import require_admin_page
from app.core.errors import AppError

bp = Blueprint("admin_pages", __name__, url_prefix="/admin")


bp.before_request(require_admin_page)


@bp.get("/")
def index() -> Response:
    """`/admin`: the accounts page, the first of the administration tabs."""
    return redirect(url_for(".users"))


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
