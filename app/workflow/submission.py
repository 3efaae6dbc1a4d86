"""Submitting dossiers and adding documents, within the caller's unit of work.

Files go to the object store first, then the rows are written. If the store fails, nothing is
written (503); if the transaction fails, the objects already stored are deleted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.time import to_local
from app.dossiers.codes import allocate_code
from app.dossiers.fields import validate_fields
from app.dossiers.models import Dossier, DossierDocument, DossierEvent
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code, list_units_matching
from app.outbox.services import add_message
from app.procedures import get_registry
from app.procedures.definitions import DocumentSpec, Procedure
from app.storage import StoredObject, get_storage


@dataclass
class Upload:
    key: str  # the procedure's document key
    filename: str  # the client's name for it: stored as data, never used as a path
    stream: BinaryIO


@dataclass
class StoredDocument:
    """A document whose bytes are already in the store: a draft's upload (source citizen_upload)
    or an earlier dossier's digitised document reused (source "reused", DOMAIN §9)."""

    key: str  # the procedure's document key
    filename: str
    storage_key: str
    sha256: str
    size: int
    content_type: str
    source: str = "citizen_upload"
    reused_from_id: int | None = None


@dataclass
class Submission:
    procedure_code: str
    data: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)
    stored: list[StoredDocument] = field(default_factory=list)
    channel: str | None = None
    unit_code: str | None = None
    applicant: dict[str, Any] = field(default_factory=dict)  # counter intake: who brought it


def _receiving_unit(procedure: Procedure, user: User, unit_code: str | None) -> Unit:
    if user.is_staff:
        unit = user.unit
        if unit_code and (unit is None or unit.code != unit_code):
            raise PermissionDeniedError("Cán bộ chỉ tiếp nhận hồ sơ tại đơn vị của mình", {"unit": unit_code})
    elif unit_code:
        unit = find_unit_by_code(unit_code)
        if unit is None:
            raise ValidationError(
                "Đơn vị tiếp nhận không tồn tại", {"unit": f"Không có đơn vị '{unit_code}'"}
            )
    else:
        candidates = [
            u
            for kind in procedure.receiving_kinds
            for u in list_units_matching(kind, procedure.receiving_level, None)
        ]
        if len(candidates) != 1:
            raise ValidationError(
                "Cần chọn nơi nộp hồ sơ", {"unit": "Chọn mã định danh của đơn vị tiếp nhận"}
            )
        unit = candidates[0]
    if unit is None or unit.level != procedure.receiving_level or unit.kind not in procedure.receiving_kinds:
        raise ValidationError(
            "Đơn vị này không tiếp nhận thủ tục này",
            {"unit": f"Thủ tục được tiếp nhận tại cấp '{procedure.receiving_level}'"},
        )
    return unit


def _channel(procedure: Procedure, user: User, requested: str | None) -> str:
    channel = requested or ("counter" if user.is_staff else "online")
    if not user.is_staff and channel != "online":
        raise ValidationError("Công dân chỉ nộp trực tuyến", {"channel": "Chỉ được là 'online'"})
    if user.is_staff and channel == "online":
        raise ValidationError(
            "Cán bộ tiếp nhận trực tiếp hoặc qua bưu chính", {"channel": "Chọn 'counter' hoặc 'postal'"}
        )
    if channel not in procedure.channels:
        raise ValidationError(
            "Thủ tục không nhận hồ sơ qua kênh này",
            {"channel": f"Chọn một trong: {', '.join(procedure.channels)}"},
        )
    return channel


def _applicant(user: User, given: dict[str, Any]) -> dict[str, Any]:
    if not user.is_staff:
        return {
            "applicant_id": user.id,
            "applicant_name": user.full_name,
            "applicant_citizen_id": user.citizen_id,
            "applicant_phone": user.phone,
            "applicant_email": user.email,
            "applicant_address": user.address,
        }
    from app.auth.citizen_id import citizen_id_problem

    problems = {}
    if not (given.get("name") or "").strip():
        problems["applicant.name"] = "Cần họ tên người nộp"
    cid = given.get("citizen_id")
    if cid and citizen_id_problem(cid):
        problems["applicant.citizen_id"] = citizen_id_problem(cid)
    if problems:
        raise ValidationError("Thông tin người nộp không hợp lệ", problems)
    owner = db.session.scalar(db.select(User).where(User.citizen_id == cid)) if cid else None
    return {
        "applicant_id": owner.id if owner else None,
        "applicant_name": given["name"].strip(),
        "applicant_citizen_id": cid,
        "applicant_phone": given.get("phone"),
        "applicant_email": given.get("email"),
        "applicant_address": given.get("address"),
    }


def _check_uploads(
    procedure: Procedure, uploads: list[Upload], *, all_required: bool, stored: list[StoredDocument] = ()
) -> None:
    problems: dict[str, str] = {}
    keys = [u.key for u in uploads] + [d.key for d in stored]
    for document in stored:
        spec = procedure.document(document.key)
        if spec is not None and document.content_type not in spec.types:
            problems[document.key] = "Loại tệp không được chấp nhận cho giấy tờ này"
        elif spec is not None and document.size > spec.max_size_mb * 1024 * 1024:
            problems[document.key] = f"Tệp vượt quá {spec.max_size_mb} MB"
    for key in keys:
        if procedure.document(key) is None:
            problems[key] = "Thủ tục không có giấy tờ này"
        elif keys.count(key) > 1:
            problems[key] = "Mỗi giấy tờ chỉ gửi một tệp"
    if all_required:
        for spec in procedure.documents:
            if spec.required and spec.key not in keys:
                problems.setdefault(spec.key, f"Thiếu giấy tờ bắt buộc: {spec.name.vi}")
    if problems:
        raise ValidationError("Giấy tờ kèm theo không hợp lệ", problems)


def put_upload(spec: DocumentSpec, upload: Upload) -> StoredObject:
    """Stream one upload to the store, checked against its document spec (type sniffed, size); the
    object is deleted again if the surrounding transaction rolls back."""
    storage = get_storage()
    stored = storage.put_stream(
        upload.stream, allowed_types=spec.types, max_bytes=spec.max_size_mb * 1024 * 1024
    )
    uow.on_rollback(lambda key=stored.key: storage.delete(key))
    return stored


def store_uploads(
    procedure: Procedure, uploads: list[Upload], *, source: str, user: User
) -> list[DossierDocument]:
    """Stream each file to the store; register deletion if the transaction later fails."""
    documents = []
    for upload in uploads:
        spec: DocumentSpec = procedure.document(upload.key)  # checked by _check_uploads
        stored = put_upload(spec, upload)
        documents.append(
            DossierDocument(
                doc_key=upload.key,
                original_name=(upload.filename or upload.key)[:255],
                storage_key=stored.key,
                sha256=stored.sha256,
                size=stored.size,
                content_type=stored.content_type,
                is_digitised=True,
                source=source,
                uploaded_by_id=user.id,
            )
        )
    return documents


def submit_dossier(user: User, submission: Submission) -> Dossier:
    procedure = get_registry().current(submission.procedure_code, to_local(utcnow()).date())
    unit = _receiving_unit(procedure, user, submission.unit_code)
    channel = _channel(procedure, user, submission.channel)
    applicant = _applicant(user, submission.applicant)
    data, problems = validate_fields(procedure.fields, submission.data)
    if problems:
        raise ValidationError("Tờ khai chưa hợp lệ: " + ", ".join(problems), {"data": problems})
    _check_uploads(procedure, submission.uploads, all_required=True, stored=submission.stored)
    documents = [_document_from_stored(d, user) for d in submission.stored] + store_uploads(
        procedure,
        submission.uploads,
        source="counter_scan" if user.is_staff else "citizen_upload",
        user=user,
    )
    now = utcnow()
    initial = procedure.initial_state
    dossier = Dossier(
        code=allocate_code(unit, to_local(now).date()),
        procedure_code=procedure.code,
        procedure_version=procedure.version,
        state=initial.name,
        national_status=initial.national_code,
        channel=channel,
        data=data,
        summary=procedure.name.vi,
        receiving_unit=unit,
        current_unit=unit,
        created_by_id=user.id,
        submitted_at=now,
        documents=documents,
        **applicant,
    )
    db.session.add(dossier)
    db.session.add(
        DossierEvent(
            dossier=dossier,
            transition="submit",
            from_state=None,
            to_state=initial.name,
            actor_id=user.id,
            actor_unit_id=user.unit_id,
            created_at=now,
            payload={"channel": channel},
        )
    )
    db.session.flush()
    add_message(
        "dossier.submitted",
        {
            "dossier_code": dossier.code,
            "procedure_code": procedure.code,
            "channel": channel,
            "at": now.isoformat(),
        },
        dossier_id=dossier.id,
    )
    return dossier


def _document_from_stored(document: StoredDocument, user: User) -> DossierDocument:
    return DossierDocument(
        doc_key=document.key,
        original_name=document.filename[:255],
        storage_key=document.storage_key,
        sha256=document.sha256,
        size=document.size,
        content_type=document.content_type,
        is_digitised=True,
        source=document.source,
        reused_from_id=document.reused_from_id,
        uploaded_by_id=user.id,
    )


def add_documents(
    dossier: Dossier, user: User, uploads: list[Upload], *, is_result: bool = False
) -> list[DossierDocument]:
    """Attach documents: a citizen's supplement (replacing earlier versions of the same key) or a
    staff member's scan or result file. Who may do it is checked by the caller's permission."""
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    if is_result:
        result_spec = DocumentSpec(
            key="result",
            name=procedure.result_name or procedure.name,
            required=False,
            types=("application/pdf", "image/jpeg", "image/png"),
            max_size_mb=50,
        )
        procedure_for_upload = _with_document(procedure, result_spec)
    else:
        procedure_for_upload = procedure
        _check_uploads(procedure, uploads, all_required=False)
    if not uploads:
        raise ValidationError("Chưa chọn tệp nào để tải lên", {"files": "Cần ít nhất một tệp"})
    source = "issued" if is_result else ("counter_scan" if user.is_staff else "citizen_upload")
    documents = store_uploads(procedure_for_upload, uploads, source=source, user=user)
    replaced = {u.key for u in uploads}
    for old in dossier.documents:
        if old.doc_key in replaced and old.is_current and not is_result:
            old.is_current = False
    for document in documents:
        document.is_result = is_result
        dossier.documents.append(document)
    dossier.updated_at = utcnow()  # bumps the optimistic-lock version too
    return documents


def _with_document(procedure: Procedure, spec: DocumentSpec) -> Procedure:
    from dataclasses import replace

    return replace(procedure, documents=(*procedure.documents, spec))


def supply_documents(dossier: Dossier, user: User, uploads: list[Upload], comment: str = "") -> Dossier:
    """The applicant answers a supplement request (Mẫu 02 at receipt, or during appraisal): attach the
    files and apply the `supplement` transition in ONE transaction. If the transition is refused,
    no row is written and the objects already stored are deleted again (the clock resumes only
    together with the documents)."""
    from app.workflow.engine import apply_transition
    from app.workflow.permissions import require_can_attach

    require_can_attach(user, dossier, is_result=False)
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    if not uploads:
        raise ValidationError("Chưa chọn tệp nào để tải lên", {"files": "Cần ít nhất một tệp"})
    _check_uploads(procedure, uploads, all_required=False)
    documents = store_uploads(procedure, uploads, source="citizen_upload", user=user)
    replaced = {u.key for u in uploads}
    for old in dossier.documents:
        if old.doc_key in replaced and old.is_current and not old.is_result:
            old.is_current = False
    dossier.documents.extend(documents)
    return apply_transition(dossier, "supplement", user, {"comment": comment.strip()} if comment else {})
