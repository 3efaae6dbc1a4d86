"""Submitting dossiers, adding documents and answering a request for them: use cases on the engine,
within the caller's unit of work.

Files go to the object store first, then the rows are written. If the store fails, nothing is
written (503); if the unit of work fails, the objects already stored are deleted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.time import to_local
from app.dossiers.codes import allocate_code
from app.dossiers.fields import validate_fields
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code, list_units_matching
from app.procedures import get_registry
from app.procedures.definitions import Procedure
from app.procedures.vocabulary import ATTACH_DOCUMENTS
from app.workflow.documents import Files, StoredDocument, Upload, check_inputs, put_upload, stored_first
from app.workflow.engine import apply_transition, available_transitions, start
from app.workflow.permissions import require_can_submit

__all__ = [
    "StoredDocument",
    "Submission",
    "Upload",
    "add_documents",
    "put_upload",
    "submit_dossier",
    "supply_documents",
]


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


def submit_dossier(user: User, submission: Submission) -> Dossier:
    """Register a dossier and apply its initial transition: a code, the documents, the first event."""
    procedure = get_registry().current(submission.procedure_code, to_local(utcnow()).date())
    require_can_submit(user, procedure)
    unit = _receiving_unit(procedure, user, submission.unit_code)
    channel = _channel(procedure, user, submission.channel)
    applicant = _applicant(user, submission.applicant)
    data, problems = validate_fields(procedure.fields, submission.data)
    if problems:
        raise ValidationError("Tờ khai chưa hợp lệ: " + ", ".join(problems), {"data": problems})
    files = Files(documents=submission.uploads, stored=submission.stored)
    check_inputs(procedure, files, all_required=True)
    files = stored_first(procedure, files, user)
    now = utcnow()
    dossier = Dossier(
        code=allocate_code(unit, to_local(now).date()),
        procedure_code=procedure.code,
        procedure_version=procedure.version,
        channel=channel,
        data=data,
        summary=procedure.name.vi,
        receiving_unit=unit,
        current_unit=unit,
        created_by_id=user.id,
        submitted_at=now,
        **applicant,
    )
    db.session.add(dossier)
    return start(dossier, user, files)


def add_documents(dossier: Dossier, user: User, files: Files) -> Dossier:
    """Attach documents outside any other transition: staff add a scan or a result file while their
    unit holds the dossier; the applicant adds inputs while asked for them. An event like any other
    (who, when, what replaced what); refused once the dossier is closed."""
    if not files:
        raise ValidationError("Chưa chọn tệp nào để tải lên", {"files": "Cần ít nhất một tệp"})
    return apply_transition(dossier, ATTACH_DOCUMENTS, user, {}, files=files)


def supply_documents(dossier: Dossier, user: User, uploads: list[Upload], comment: str = "") -> Dossier:
    """The applicant answers a request for documents (Mẫu 02 at receipt, or during appraisal): the
    files and the answering transition are one change. If the transition is refused, no row is
    written and the objects already stored are deleted again (the clock resumes only together with
    the documents)."""
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    answer = next((t for t in available_transitions(dossier, user) if t.effects.answers_applicant), None)
    if answer is None:
        raise PermissionDeniedError("Hồ sơ không ở trạng thái chờ bổ sung giấy tờ")
    if not uploads:
        raise ValidationError("Chưa chọn tệp nào để tải lên", {"files": "Cần ít nhất một tệp"})
    files = Files(documents=uploads)
    check_inputs(procedure, files, all_required=False)
    payload = {"comment": comment.strip()} if comment.strip() else {}
    return apply_transition(dossier, answer.name, user, payload, files=files)
