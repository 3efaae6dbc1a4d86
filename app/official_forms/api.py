"""Issued forms of a dossier: list, download once ready, and the control slip on demand (staff)."""

from __future__ import annotations

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.audit.services import record_access
from app.auth.permissions import require_api_user
from app.core.errors import ErrorSchema
from app.dossiers.queries import DOSSIER_NOT_FOUND, get_dossier
from app.official_forms.models import IssuedForm
from app.official_forms.queries import get_ready_form, list_forms
from app.official_forms.schemas import IssuedFormSchema
from app.official_forms.services import issue_control_form
from app.storage import download_response

blp = Blueprint(
    "official_forms", __name__, url_prefix="/api/v1/dossiers", description="Biểu mẫu đã cấp cho hồ sơ"
)


@blp.route("/<code>/forms", methods=["GET"])
@require_api_user()
@blp.response(200, IssuedFormSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
def index(code: str) -> list[IssuedForm]:
    """Forms issued for the dossier, newest first; `status` says whether the PDF is ready."""
    return list_forms(get_dossier(code, current_user).id)


@blp.route("/<code>/forms/<int:form_id>/download", methods=["GET"])
@require_api_user()
@blp.response(302)
@blp.alt_response(404, schema=ErrorSchema, description="No such dossier, or no ready form with this id")
def download(code: str, form_id: int) -> Response:
    """The PDF: a short-lived presigned link (S3) or an authorised stream (local folder)."""
    dossier = get_dossier(code, current_user)
    issued = get_ready_form(dossier.id, form_id)
    record_access(current_user, dossier, form_id=issued.id, form_name=issued.filename(code), channel="api")
    return download_response(issued.storage_key, issued.filename(code), "application/pdf", size=issued.size)


@blp.route("/<code>/forms/mau-05", methods=["POST"])
@require_api_user()
@blp.response(201, IssuedFormSchema)
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
def issue_mau_05(code: str) -> IssuedForm:
    """The control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ; Mẫu 05 of the 2018 set, Mẫu 06
    of the 2025 set) as things stand now: staff who can see the dossier. Poll the list until its
    `status` is `ready`."""
    return issue_control_form(get_dossier(code, current_user), current_user)
