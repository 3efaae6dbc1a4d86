"""Dossier API. Views parse, call one service, serialise; they never commit or compare states."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.audit.services import record_access
from app.auth.permissions import require_api_user
from app.core.errors import ErrorSchema, NotFoundError
from app.dossiers.models import Dossier
from app.dossiers.queries import (
    DOSSIER_NOT_FOUND,
    DossierFilter,
    get_document,
    get_dossier,
    list_dossiers,
)
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
from app.workflow.audience import ApplicantView, may_read_document, reads_as_applicant
from app.workflow.documents import RESULT_KEY, Files
from app.workflow.engine import apply_transition, available_transitions
from app.workflow.idempotency import idempotent
from app.workflow.permissions import require_can_attach
from app.workflow.schemas import ApplicantDossierSchema
from app.workflow.submission import Submission, Upload, add_documents, submit_dossier

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers", description="Hồ sơ (dossiers)")


def _uploads() -> list[Upload]:
    return [
        Upload(key=key, filename=f.filename or key, stream=f.stream)
        for key, f in request.files.items(multi=True)
    ]


# The dossier answers are one of two shapes by audience: staff read everything, the applicant reads
# the applicant's view (app.workflow.audience). The OpenAPI document names both (anyOf).
_DOSSIER_ANSWER = {
    "description": "Hồ sơ: bản đầy đủ cho cán bộ (Dossier), bản cho người nộp (ApplicantDossier)",
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Dossier"},
                    {"$ref": "#/components/schemas/ApplicantDossier"},
                ]
            }
        }
    },
}


def _detail(dossier: Dossier, status: int = 200) -> Response:
    dossier.available_transitions = available_transitions(dossier, current_user)
    if reads_as_applicant(current_user):
        body = ApplicantDossierSchema().dump(ApplicantView(dossier))
    else:
        body = DossierSchema().dump(dossier)
    response = jsonify(body)
    response.status_code = status
    return response


def register_schemas(spec: object) -> None:
    """The two dossier shapes, for the answers that reference them."""
    components = spec.components  # type: ignore[attr-defined]
    for name, schema in (("Dossier", DossierSchema), ("ApplicantDossier", ApplicantDossierSchema)):
        if name not in components.schemas:
            components.schema(name, schema=schema)


@blp.route("", methods=["POST"])
@require_api_user()
@idempotent("api.create_dossier")
@blp.arguments(SubmitFormSchema, location="form", content_type="multipart/form-data")
@blp.doc(responses={"201": _DOSSIER_ANSWER})
@blp.alt_response(404, schema=ErrorSchema, description="Unknown procedure or receiving unit")
def create_dossier(form: dict) -> Response:
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
    return _detail(submit_dossier(current_user, submission), 201)


@blp.route("", methods=["GET"])
@require_api_user()
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, DossierPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Unknown unit in the `unit` filter")
def index(args: dict) -> dict:
    """Dossiers visible to the caller, newest first; pass `after=next_cursor` for the next page."""
    items, cursor = list_dossiers(current_user, DossierFilter(**args))
    return {"items": items, "next_cursor": cursor}


@blp.route("/<code>", methods=["GET"])
@require_api_user()
@blp.doc(responses={"200": _DOSSIER_ANSWER})
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
def show(code: str) -> Response:
    """State, national status code, due/appointment/outcome, documents, steps and events."""
    dossier = get_dossier(code, current_user)
    record_access(current_user, dossier, channel="api")
    return _detail(dossier)


@blp.route("/<code>/transitions", methods=["GET"])
@require_api_user()
@blp.response(200, TransitionSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
def transitions(code: str) -> list[Transition]:
    """What the caller may do with this dossier now."""
    return available_transitions(get_dossier(code, current_user), current_user)


@blp.route("/<code>/transitions", methods=["POST"])
@require_api_user()
@blp.arguments(TransitionRequestSchema)
@blp.doc(responses={"200": _DOSSIER_ANSWER})
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
@blp.alt_response(
    409, schema=ErrorSchema, description="The dossier changed meanwhile, or the transition is not open now"
)
def transition(body: dict, code: str) -> Response:
    """Apply a transition. 409 if the dossier changed meanwhile or the action is not open now."""
    dossier = get_dossier(code, current_user)
    name, expected = body.pop("name"), body.pop("expected_version", None)
    return _detail(apply_transition(dossier, name, current_user, body, expected_version=expected))


@blp.route("/<code>/documents", methods=["POST"])
@require_api_user()
@blp.doc(responses={"201": _DOSSIER_ANSWER})
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
@blp.alt_response(409, schema=ErrorSchema, description="The dossier is closed")
@blp.alt_response(422, schema=ErrorSchema, description="No file, or a file the procedure does not take")
def upload_documents(code: str) -> Response:
    """Attach files (multipart, one part per document key; staff may send the result as part `result`).
    An event of its own; a newer file of a key replaces the current one. 409 once the dossier is closed."""
    dossier = get_dossier(code, current_user)
    uploads = _uploads()
    files = Files(
        documents=[u for u in uploads if u.key != RESULT_KEY],
        results=[u for u in uploads if u.key == RESULT_KEY],
    )
    require_can_attach(current_user, dossier, results=bool(files.results))
    return _detail(add_documents(dossier, current_user, files), 201)


@blp.route("/<code>/documents/<int:document_id>/download", methods=["GET"])
@require_api_user()
@blp.response(302)
@blp.alt_response(404, schema=ErrorSchema, description="No such dossier or document the caller may read")
def download(code: str, document_id: int) -> Response:
    """Short-lived presigned link (S3) or an authorised stream (local folder)."""
    dossier = get_dossier(code, current_user)
    document = get_document(dossier, document_id)
    if not may_read_document(current_user, dossier, document):  # a draft result is the office's
        raise NotFoundError(f"Không tìm thấy tài liệu #{document_id} trong hồ sơ {dossier.code}")
    record_access(current_user, dossier, document=document, channel="api")
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size
    )
