"""Pages: download an issued form (the citizen's dossier page links here once a form is ready)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user, login_required

from app.documents.queries import get_ready_form
from app.dossiers.queries import get_dossier
from app.storage import download_response

bp = Blueprint("documents_pages", __name__)


@bp.get("/dossiers/<code>/forms/<int:form_id>")
@login_required
def download(code: str, form_id: int) -> Response:
    dossier = get_dossier(code, current_user)
    issued = get_ready_form(dossier.id, form_id)
    return download_response(issued.storage_key, issued.filename(code), "application/pdf", size=issued.size)
