"""Request helpers shared by the portal's pages: who may use them, and reading posted files."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import render_template, request
from flask_login import current_user, login_required

from app.procedures.definitions import Procedure
from app.workflow.submission import Upload


def citizen_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in citizens only; staff get a polite page (403) pointing them to their own tools."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_citizen:
            return render_template("portal/citizens_only.html"), 403
        return view(*args, **kwargs)

    return wrapper


def wants_json() -> bool:
    """The upload script asks for JSON; a plain form post gets a page."""
    return request.accept_mimetypes.best == "application/json"


def posted_uploads(procedure: Procedure) -> list[Upload]:
    """One Upload per document whose file input carries a file (empty inputs are skipped)."""
    uploads = []
    for spec in procedure.documents:
        file = request.files.get(spec.key)
        if file is not None and file.filename:
            uploads.append(Upload(key=spec.key, filename=file.filename, stream=file.stream))
    return uploads
