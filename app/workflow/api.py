"""Dossier API. Views parse, call one service, serialise; they never commit or compare states."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.dossiers.models import Dossier
from app.dossiers.queries import DossierFilter, get_document, get_dossier, list_dossiers
from app.dossiers.schemas import (
    DossierPageSchema,
    DossierSchema,
    ListQuerySchema,
    SubmitFormSchema,
    TransitionRequestSchema,
    TransitionSchema,
)
from app.procedures.definitions import Transition
from app.storage import download_response
from app.workflow.documents import RESULT_KEY, Files
from app.workflow.engine import apply_transition, available_transitions
from app.workflow.idempotency import idempotent
from app.workflow.permissions import require_can_attach
from app.workflow.submission import Submission, Upload, add_documents, submit_dossier

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers", description="Hồ sơ (dossiers)")


def _uploads() -> list[Upload]:
    return [
        Upload(key=key, filename=f.filename or key, stream=f.stream)
        for key, f in request.files.items(multi=True)
    ]


def _detail(dossier: Dossier) -> Dossier:
    dossier.available_transitions = available_transitions(dossier, current_user)
    return dossier


@blp.route("", methods=["POST"])
@require_api_user()
@idempotent("api.create_dossier")
@blp.arguments(SubmitFormSchema, location="form", content_type="multipart/form-data")
@blp.response(201, DossierSchema)
def create_dossier(form: dict) -> Dossier:
    """Submit a dossier: form fields plus one file part per document key (multipart). With an
    `Idempotency-Key` header, sending the same request again returns the first answer (header
    `Idempotent-Replayed: true`) and creates nothing."""
    submission = Submission(
        procedure_code=form["procedure_code"],
        data=form["data"],
        uploads=_uploads(),
        channel=form.get("channel"),
        unit_code=form.get("unit"),
        applicant=form["applicant"],
    )
    return _detail(submit_dossier(current_user, submission))


@blp.route("", methods=["GET"])
@require_api_user()
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, DossierPageSchema)
def index(args: dict) -> dict:
    """Dossiers visible to the caller, newest first; pass `after=next_cursor` for the next page."""
    items, cursor = list_dossiers(current_user, DossierFilter(**args))
    return {"items": items, "next_cursor": cursor}


@blp.route("/<code>", methods=["GET"])
@require_api_user()
@blp.response(200, DossierSchema)
def show(code: str) -> Dossier:
    """State, national status code, due/appointment/outcome, documents, steps and events."""
    return _detail(get_dossier(code, current_user))


@blp.route("/<code>/transitions", methods=["GET"])
@require_api_user()
@blp.response(200, TransitionSchema(many=True))
def transitions(code: str) -> list[Transition]:
    """What the caller may do with this dossier now."""
    return available_transitions(get_dossier(code, current_user), current_user)


@blp.route("/<code>/transitions", methods=["POST"])
@require_api_user()
@blp.arguments(TransitionRequestSchema)
@blp.response(200, DossierSchema)
def transition(body: dict, code: str) -> Dossier:
    """Apply a transition. 409 if the dossier changed meanwhile or the action is not open now."""
    dossier = get_dossier(code, current_user)
    name, expected = body.pop("name"), body.pop("expected_version", None)
    return _detail(apply_transition(dossier, name, current_user, body, expected_version=expected))


@blp.route("/<code>/documents", methods=["POST"])
@require_api_user()
@blp.response(201, DossierSchema)
def upload_documents(code: str) -> Dossier:
    """Attach files (multipart, one part per document key; staff may send the result as part `result`).
    An event of its own; a newer file of a key replaces the current one. 409 once the dossier is closed."""
    dossier = get_dossier(code, current_user)
    uploads = _uploads()
    files = Files(
        documents=[u for u in uploads if u.key != RESULT_KEY],
        results=[u for u in uploads if u.key == RESULT_KEY],
    )
    require_can_attach(current_user, dossier, results=bool(files.results))
    return _detail(add_documents(dossier, current_user, files))


@blp.route("/<code>/documents/<int:document_id>/download", methods=["GET"])
@require_api_user()
@blp.response(302)
def download(code: str, document_id: int) -> Response:
    """Short-lived presigned link (S3) or an authorised stream (local folder)."""
    document = get_document(get_dossier(code, current_user), document_id)
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size
    )
