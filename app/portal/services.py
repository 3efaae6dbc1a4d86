"""Drafts: start, save (never validated), attach or reuse documents, delete, submit.

Each function is one use case within the caller's unit of work. Files go to the object store before
the rows are written; a unit that rolls back deletes them again, and a replaced or deleted draft
document's object is deleted only after the commit (and never when its bytes belong to an earlier
dossier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import (
    AppError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaError,
)
from app.core.errors import ValidationError as AppValidationError
from app.dossiers.fields import validate_fields
from app.dossiers.models import Dossier
from app.extensions import db
from app.identity.prefill import form_prefill, locked_values, waived_documents
from app.portal.fields import typed_data
from app.portal.models import Draft, DraftDocument
from app.portal.queries import (
    current_procedure,
    draft_applicant,
    find_latest_draft,
    get_reusable_document,
    receiving_units,
)
from app.procedures.definitions import Procedure
from app.representation.permissions import require_can_act_for
from app.storage import StorageUnavailableError, get_storage
from app.workflow.submission import StoredDocument, Submission, Upload, put_upload, submit_dossier

# Problems with one file: shown next to that document; the rest of the save goes ahead.
UPLOAD_ERRORS = (UnsupportedMediaError, PayloadTooLargeError, AppValidationError, StorageUnavailableError)


@dataclass
class DraftInput:
    """What one post of the form page carries. `data`/`unit_code` None: the form was not posted
    (the upload script sends only a file), so what was typed before stays as it is."""

    data: dict[str, str] | None = None
    unit_code: str | None = None
    uploads: list[Upload] = field(default_factory=list)
    reuse: tuple[str, int] | None = None  # (document key, id of the earlier dossier document)
    remove: str | None = None  # document key


@dataclass
class DraftProblems:
    """Why a draft cannot be submitted yet, by place on the page."""

    fields: dict[str, str] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)  # doc key -> message or refused-upload error
    unit: str | None = None
    general: str | None = None

    def __bool__(self) -> bool:
        return bool(self.fields or self.documents or self.unit or self.general)


def start_draft(user: User, procedure: Procedure, principal: User | None = None) -> Draft:
    """Resume the citizen's latest draft of this procedure (for themselves, or for `principal` as
    its representative), or start one, filled from the applicant's verified identity."""
    if principal is not None:
        require_can_act_for(user, principal.id, procedure.code)
    draft = find_latest_draft(user, procedure.code, principal.id if principal else None)
    if draft is not None:
        return draft
    units = receiving_units(procedure)
    draft = Draft(
        user_id=user.id,
        principal_id=principal.id if principal else None,
        procedure_code=procedure.code,
        procedure_version=procedure.version,
        unit_code=units[0].code if len(units) == 1 else None,
        data={key: fill.value for key, fill in form_prefill(procedure, principal or user).items()},
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def save_draft(draft: Draft, user: User, procedure: Procedure, changes: DraftInput) -> dict[str, AppError]:
    """Keep what was typed (valid or not), store each file, reuse or remove a document.
    Returns the files the store refused, by document key; everything else is saved."""
    if changes.data is not None:  # what the verified identity gives stays as it gives it
        draft.data = {**draft.data, **changes.data, **locked_values(procedure, draft_applicant(draft))}
        draft.unit_code = changes.unit_code or None
    draft.procedure_version = procedure.version
    refused: dict[str, AppError] = {}
    for upload in changes.uploads:
        try:
            _store_upload(draft, procedure, upload)
        except UPLOAD_ERRORS as exc:
            refused[upload.key] = exc
    if changes.reuse:
        _reuse_document(draft, user, procedure, *changes.reuse)
    if changes.remove and draft.document(changes.remove) is not None:
        _forget(draft, draft.document(changes.remove))
    draft.updated_at = utcnow()
    db.session.flush()
    return refused


def _store_upload(draft: Draft, procedure: Procedure, upload: Upload) -> None:
    spec = procedure.document(upload.key)
    if spec is None:
        raise NotFoundError(f"Thủ tục không có giấy tờ '{upload.key}'")
    stored = put_upload(spec, upload)
    _replace(
        draft,
        DraftDocument(
            doc_key=upload.key,
            original_name=(upload.filename or upload.key)[:255],
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
        ),
    )


def _reuse_document(draft: Draft, user: User, procedure: Procedure, doc_key: str, document_id: int) -> None:
    """A document the citizen already submitted in an earlier dossier, instead of a new upload."""
    if procedure.document(doc_key) is None:
        raise NotFoundError(f"Thủ tục không có giấy tờ '{doc_key}'")
    earlier = get_reusable_document(user, doc_key, document_id)
    _replace(
        draft,
        DraftDocument(
            doc_key=doc_key,
            original_name=earlier.original_name,
            storage_key=earlier.storage_key,
            sha256=earlier.sha256,
            size=earlier.size,
            content_type=earlier.content_type,
            reused_from_id=earlier.id,
        ),
    )


def _replace(draft: Draft, document: DraftDocument) -> None:
    old = draft.document(document.doc_key)
    if old is not None:
        _forget(draft, old)
    draft.documents.append(document)


def _forget(draft: Draft, document: DraftDocument) -> None:
    draft.documents.remove(document)  # delete-orphan removes the row
    if document.owns_object:
        storage = get_storage()
        uow.after_commit(lambda key=document.storage_key: storage.delete(key))


def delete_draft(draft: Draft) -> None:
    storage = get_storage()
    for document in draft.documents:
        if document.owns_object:
            uow.after_commit(lambda key=document.storage_key: storage.delete(key))
    db.session.delete(draft)
    db.session.flush()


def effective_unit_code(draft: Draft, procedure: Procedure) -> str | None:
    """The chosen receiving unit, or the only one there is."""
    if draft.unit_code:
        return draft.unit_code
    units = receiving_units(procedure)
    return units[0].code if len(units) == 1 else None


def check_draft(draft: Draft, procedure: Procedure) -> DraftProblems:
    """Everything that would stop the submission, each where the citizen can fix it."""
    applicant = draft_applicant(draft)
    data = {**draft.data, **locked_values(procedure, applicant)}
    _, problems = validate_fields(procedure.fields, typed_data(procedure, data))
    for (
        spec
    ) in procedure.fields:  # beside its label, "please fill in" says it better than "Bắt buộc: <label>"
        if spec.key in problems and not str(draft.data.get(spec.key) or "").strip():
            problems[spec.key] = _l("Vui lòng điền mục này")
    result = DraftProblems(fields=problems)
    if effective_unit_code(draft, procedure) not in {u.code for u in receiving_units(procedure)}:
        result.unit = _l("Chọn nơi nộp hồ sơ")
    waived = draft_waived_documents(draft, procedure)
    for spec in procedure.documents:
        if spec.required and draft.document(spec.key) is None and spec.key not in waived:
            result.documents[spec.key] = _l("Cần tải lên giấy tờ này")
    return result


def draft_waived_documents(draft: Draft, procedure: Procedure) -> frozenset[str]:
    """Documents the author's verified identity replaces, when the draft is for themselves."""
    author = db.session.get(User, draft.user_id)
    return waived_documents(procedure, author, for_someone_else=draft.principal_id is not None)


def problems_from_error(exc: AppValidationError, procedure: Procedure) -> DraftProblems:
    """The submission service's ValidationError, put back where each problem belongs on the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    problems = DraftProblems(general=exc.message)
    for key, message in details.items():
        if key == "data" and isinstance(message, dict):
            problems.fields.update(message)
        elif key == "unit":
            problems.unit = message
        elif procedure.document(key) is not None:
            problems.documents[key] = message
    return problems


def submit_draft(draft: Draft, user: User) -> Dossier:
    """Submit the draft as an online dossier; the draft row goes in the same transaction, its files
    now belong to the dossier. A ValidationError leaves the draft as it was. The draft is locked
    first: of several submissions of one draft at once, one makes the dossier and the others find
    the draft gone (409)."""
    draft = db.session.scalar(
        select(Draft).where(Draft.id == draft.id).with_for_update().execution_options(populate_existing=True)
    )
    if draft is None:
        raise ConflictError("Hồ sơ nháp này vừa được nộp; xem trong Hồ sơ của tôi")
    procedure = current_procedure(draft.procedure_code)
    submission = Submission(
        procedure_code=procedure.code,
        data=typed_data(procedure, draft.data),
        stored=[
            StoredDocument(
                key=d.doc_key,
                filename=d.original_name,
                storage_key=d.storage_key,
                sha256=d.sha256,
                size=d.size,
                content_type=d.content_type,
                source="reused" if d.reused_from_id else "citizen_upload",
                reused_from_id=d.reused_from_id,
            )
            for d in draft.documents
        ],
        unit_code=effective_unit_code(draft, procedure),
        on_behalf_of=draft.principal_id,
    )
    db.session.delete(draft)
    return submit_dossier(user, submission)
