"""A dossier's documents as the engine adds them: checked against the procedure, streamed to the
object store, and recorded with the event that added them and what they replaced.

Files go to the object store before any row is written; each object is deleted again if the unit
of work rolls back (`uow.on_rollback`), so a refused or failed change leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from app.auth.models import User
from app.core import uow
from app.core.errors import ValidationError
from app.dossiers.models import Dossier, DossierDocument
from app.procedures.definitions import DocumentSpec, Procedure
from app.results.services import prepare_result
from app.storage import StoredObject, get_storage

RESULT_KEY = "result"
RESULT_TYPES = ("application/pdf", "image/jpeg", "image/png")
RESULT_MAX_MB = 50


@dataclass
class Upload:
    key: str  # the procedure's document key ("result" for a result file)
    filename: str  # the client's name for it: stored as data, never used as a path
    stream: BinaryIO


@dataclass
class StoredDocument:
    """A document whose bytes are already in the store: a draft's upload (source citizen_upload)
    or an earlier dossier's digitised document reused (source "reused")."""

    key: str  # the procedure's document key
    filename: str
    storage_key: str
    sha256: str
    size: int
    content_type: str
    source: str = "citizen_upload"
    reused_from_id: int | None = None


@dataclass
class Files:
    """What a transition brings: input documents (uploads, or already stored), and result files."""

    documents: list[Upload] = field(default_factory=list)
    stored: list[StoredDocument] = field(default_factory=list)
    results: list[Upload] = field(default_factory=list)

    @property
    def input_keys(self) -> list[str]:
        return [u.key for u in self.documents] + [d.key for d in self.stored]

    def __bool__(self) -> bool:
        return bool(self.documents or self.stored or self.results)


def result_spec(procedure: Procedure) -> DocumentSpec:
    return DocumentSpec(
        RESULT_KEY, procedure.result_name or procedure.name, False, RESULT_TYPES, RESULT_MAX_MB
    )


def check_inputs(
    procedure: Procedure, files: Files, *, all_required: bool, waived: Collection[str] = ()
) -> None:
    """Known keys, one file per key, stored documents of an accepted type and size; with
    `all_required`, every required document is there but the `waived` ones (those a verified
    identity replaces). Every problem at once, by key."""
    problems: dict[str, str] = {}
    keys = files.input_keys
    for document in files.stored:
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
            if spec.required and spec.key not in keys and spec.key not in waived:
                problems.setdefault(spec.key, f"Thiếu giấy tờ bắt buộc: {spec.name.vi}")
    if problems:
        raise ValidationError("Giấy tờ kèm theo không hợp lệ", problems)


def put_upload(spec: DocumentSpec, upload: Upload) -> StoredObject:
    """Stream one upload to the store, checked against its document spec (type sniffed, size); the
    object is deleted again if the surrounding unit of work rolls back."""
    storage = get_storage()
    stored = storage.put_stream(
        upload.stream, allowed_types=spec.types, max_bytes=spec.max_size_mb * 1024 * 1024
    )
    uow.on_rollback(lambda key=stored.key: storage.delete(key))
    return stored


# Sources whose documents count as digitised (Decree 45/2020, Circular 01/2023): scanned and checked
# at the one-stop counter, reused from a document the system already holds, an electronic original
# (issued electronically, with its issuer's signature), or a result the system issued. A citizen's
# own upload, a photo or scan of a paper document, is not a digitised record.
DIGITISED_SOURCES = frozenset({"counter_scan", "reused", "digital_original", "issued"})


def is_digitised_source(source: str) -> bool:
    """Whether a document from `source` is recorded as digitised (DossierDocument.is_digitised)."""
    return source in DIGITISED_SOURCES


def source_for(user: User) -> str:
    """Where an uploaded input comes from: scanned at the counter by staff, or the applicant's."""
    return "counter_scan" if user.is_staff else "citizen_upload"


def stored_first(procedure: Procedure, files: Files, user: User) -> Files:
    """The input uploads streamed to the store now, as stored documents: a submission does this
    before it takes its dossier code, so the per-unit code counter is not held during the uploads."""
    stored = [*files.stored]
    for upload in files.documents:
        obj = put_upload(procedure.document(upload.key), upload)
        stored.append(
            StoredDocument(
                upload.key,
                (upload.filename or upload.key)[:255],
                obj.key,
                obj.sha256,
                obj.size,
                obj.content_type,
                source=source_for(user),
            )
        )
    return replace(files, documents=[], stored=stored)


def store(
    procedure: Procedure, files: Files, *, user: User, dossier: Dossier | None = None
) -> list[DossierDocument]:
    """The rows of the files, their bytes streamed to the store first (inputs, then results). A
    result file is signed by the issuing unit, or its signatures verified, first (app.results)."""
    source = source_for(user)
    documents = [_from_stored(d, user) for d in files.stored]
    for upload in files.documents:
        documents.append(_row(put_upload(procedure.document(upload.key), upload), upload, user, source))
    results = result_spec(procedure)
    for upload in files.results:
        prepared = prepare_result(
            procedure, dossier, user, upload.stream, max_bytes=RESULT_MAX_MB * 1024 * 1024
        )
        upload = replace(upload, key=RESULT_KEY, stream=prepared.stream)
        row = _row(put_upload(results, upload), upload, user, "issued")
        row.is_result = True
        if prepared.record is not None:
            prepared.record(row)
        documents.append(row)
    return documents


def _row(stored: StoredObject, upload: Upload, user: User, source: str) -> DossierDocument:
    return DossierDocument(
        doc_key=upload.key,
        original_name=(upload.filename or upload.key)[:255],
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        is_digitised=is_digitised_source(source),
        source=source,
        uploaded_by_id=user.id,
    )


def _from_stored(document: StoredDocument, user: User) -> DossierDocument:
    return DossierDocument(
        doc_key=document.key,
        original_name=document.filename[:255],
        storage_key=document.storage_key,
        sha256=document.sha256,
        size=document.size,
        content_type=document.content_type,
        is_digitised=is_digitised_source(document.source),
        source=document.source,
        reused_from_id=document.reused_from_id,
        uploaded_by_id=user.id,
    )


def attach(dossier: Dossier, documents: list[DossierDocument]) -> None:
    """Add the new documents; an input replaces the current one of its key (results accumulate)."""
    current = {d.doc_key: d for d in dossier.documents if d.is_current and not d.is_result}
    for document in documents:
        old = None if document.is_result else current.get(document.doc_key)
        if old is not None:
            old.is_current = False
            old.replaced_by = document
        dossier.documents.append(document)
