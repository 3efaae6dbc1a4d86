"""Officer use cases of the workspace: act on a dossier, approve with a result file, counter intake.

Each is one transaction through the workflow engine (the only way a state changes). A stale page
(its `expected_version` is not the dossier's) is refused before anything is stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.auth.models import User
from app.core import uow
from app.core.errors import ConflictError, PermissionDeniedError, ValidationError
from app.dossiers.models import Dossier
from app.procedures.definitions import DocumentSpec
from app.workflow.engine import apply_transition, available_transitions, procedure_of
from app.workflow.permissions import require_can_attach
from app.workflow.submission import Submission, Upload, store_uploads, submit_dossier

STALE = "Hồ sơ vừa được người khác cập nhật — đã tải lại trạng thái mới nhất"


def _check_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is None or expected_version != dossier.version:
        raise ConflictError(STALE, {"version": dossier.version})


def act_on_dossier(
    dossier: Dossier,
    user: User,
    name: str,
    payload: dict[str, Any],
    *,
    expected_version: int | None,
    result_files: list[Upload] | None = None,
    require_result: bool = False,
) -> Dossier:
    """Apply transition `name` as seen on a page of version `expected_version`.

    With `result_files`, the files are stored as result documents (is_result, source "issued") and
    the transition applied in ONE transaction: if the transition is refused, no row stays and the
    stored objects are deleted again. `require_result`: refuse without a file (approve)."""
    _check_version(dossier, expected_version)
    if require_result and not result_files:
        raise ValidationError(
            "Cần đính kèm tệp kết quả giải quyết", {"files": "Chọn tệp kết quả (PDF hoặc ảnh) để đính kèm"}
        )
    if not result_files:
        return apply_transition(dossier, name, user, payload, expected_version=expected_version)
    require_can_attach(user, dossier, is_result=True)
    procedure = procedure_of(dossier)
    spec = DocumentSpec(
        key="result",
        name=procedure.result_name or procedure.name,
        required=False,
        types=("application/pdf", "image/jpeg", "image/png"),
        max_size_mb=50,
    )
    documents = store_uploads(
        replace(procedure, documents=(*procedure.documents, spec)),
        result_files,
        source="issued",
        user=user,
    )
    for document in documents:
        document.is_result = True
        dossier.documents.append(document)
    return apply_transition(dossier, name, user, payload, expected_version=expected_version)


def intake_dossier(user: User, submission: Submission, *, accept_now: bool) -> tuple[Dossier, str | None]:
    """Counter intake, one transaction: register the dossier (documents recorded as scanned at the
    counter) and, if asked, accept it at once so Mẫu 01 is issued. Returns the dossier and, when
    acceptance was asked but refused (e.g. a required document missing), the reason; the dossier
    then stays submitted and is still registered."""
    if user.role != "reception":
        raise PermissionDeniedError("Chỉ cán bộ tiếp nhận (một cửa) được tiếp nhận hồ sơ tại quầy")
    dossier = submit_dossier(user, submission)
    if not accept_now:
        return dossier, None
    if "accept" not in {t.name for t in available_transitions(dossier, user)}:
        return dossier, "Không thể tiếp nhận ngay hồ sơ này"
    try:
        with uow.savepoint():
            apply_transition(dossier, "accept", user, {}, expected_version=dossier.version)
    except ValidationError as exc:
        return dossier, exc.message
    return dossier, None
