"""Submitting dossiers, adding documents and answering a request for them: use cases on the engine,
within the caller's unit of work.

Files go to the object store first, then the rows are written. If the store fails, nothing is
written (503); if the unit of work fails, the objects already stored are deleted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.time import to_local
from app.dossiers.codes import allocate_code
from app.dossiers.fields import validate_fields
from app.dossiers.models import Dossier
from app.extensions import db
from app.identity.prefill import apply_identity, waived_documents
from app.org.models import Unit
from app.org.queries import find_unit_by_code, list_units_matching
from app.procedures import get_registry
from app.procedures.definitions import NATIONAL_PORTAL, Procedure
from app.procedures.vocabulary import ATTACH_DOCUMENTS
from app.representation.permissions import require_can_act_for
from app.workflow.documents import Files, StoredDocument, Upload, check_inputs, put_upload, stored_first
from app.workflow.engine import apply_transition, available_transitions, start
from app.workflow.permissions import require_can_submit
from app.workflow.routing import check_boundary, competent_unit_for, dispatch_unit, is_outside_area

__all__ = [
    "PortalFiling",
    "StoredDocument",
    "Submission",
    "Upload",
    "add_documents",
    "put_upload",
    "submit_dossier",
    "supply_documents",
]


@dataclass(frozen=True)
class PortalFiling:
    """A dossier filed on the National Public Service Portal and received here through the provincial
    integration platform (app.national). The applicant's verified account files it, on the channel
    of the national portal. `code`: the national dossier code, when the province keeps it as the
    dossier's code (else a local code is allocated). `unit_problem`: why the receiving unit the
    portal named cannot be used here; the dossier then waits, with that reason, in the provincial
    centre's dispatch queue, which is also where it is received."""

    code: str | None = None
    unit_problem: str | None = None
    summary: str | None = None  # trích yếu given on the portal


@dataclass
class Submission:
    procedure_code: str
    data: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)
    stored: list[StoredDocument] = field(default_factory=list)
    channel: str | None = None
    unit_code: str | None = None
    applicant: dict[str, Any] = field(default_factory=dict)  # counter intake: who brought it
    on_behalf_of: int | None = None  # the principal's account, when its representative files
    portal: PortalFiling | None = None  # filed on the national portal (app.national)


def receiving_units(procedure: Procedure, on: date) -> list[Unit]:
    """Every unit that may receive `procedure` on `on` (active, existing, of a receiving kind at
    the point's level)."""
    return [
        unit
        for point in procedure.receiving_points
        for kind in point.kinds
        for unit in list_units_matching(kind, point.level, None, on=on)
    ]


def _receiving_unit(procedure: Procedure, user: User, unit_code: str | None, today: date) -> Unit:
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
        candidates = receiving_units(procedure, today)
        if len(candidates) != 1:
            raise ValidationError(
                "Cần chọn nơi nộp hồ sơ", {"unit": "Chọn mã định danh của đơn vị tiếp nhận"}
            )
        unit = candidates[0]
    if unit is None or not procedure.receives_at(unit.level, unit.kind):
        levels = ", ".join(point.level for point in procedure.receiving_points)
        raise ValidationError(
            "Đơn vị này không tiếp nhận thủ tục này", {"unit": f"Thủ tục được tiếp nhận tại cấp '{levels}'"}
        )
    if not unit.exists_on(today) or not unit.is_active:
        raise ValidationError(
            "Đơn vị này không còn tiếp nhận hồ sơ", {"unit": f"Đơn vị '{unit.name}' không còn hoạt động"}
        )
    return unit


def _channel(procedure: Procedure, user: User, requested: str | None, portal: PortalFiling | None) -> str:
    if portal is not None:  # an online filing, made on the national portal
        if "online" not in procedure.channels:
            raise ValidationError(
                "Thủ tục không nhận hồ sơ trực tuyến", {"channel": "Thủ tục không có kênh 'online'"}
            )
        return NATIONAL_PORTAL
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


def _principal(user: User, principal_id: int | None, procedure: Procedure) -> User | None:
    """The account a representative files for, once its authorisation is checked; None for oneself."""
    if principal_id is None:
        return None
    require_can_act_for(user, principal_id, procedure.code)
    return db.session.get(User, principal_id)


def submit_dossier(user: User, submission: Submission) -> Dossier:
    """Register a dossier and apply its initial transition: a code, the documents, the first event."""
    today = to_local(utcnow()).date()
    procedure = get_registry().current(submission.procedure_code, today)
    require_can_submit(user, procedure)
    portal = submission.portal
    unmapped = portal.unit_problem if portal is not None else None
    if unmapped:  # the portal named a unit this system cannot use: received at the dispatch queue
        unit = _dispatch_unit(today, unmapped)
    else:
        unit = _receiving_unit(procedure, user, submission.unit_code, today)
    channel = _channel(procedure, user, submission.channel, portal)
    principal = _principal(user, submission.on_behalf_of, procedure)
    applicant = _applicant(principal or user, submission.applicant)
    filled = apply_identity(procedure, submission.data, principal or (None if user.is_staff else user))
    data, problems = validate_fields(procedure.fields, filled)
    if problems:
        raise ValidationError("Tờ khai chưa hợp lệ: " + ", ".join(problems), {"data": problems})
    if unmapped:
        competent, unknown = None, unmapped
    else:
        competent, unknown = competent_unit_for(procedure, unit, data)
        check_boundary(procedure, unit, competent)
    holder = unit if unknown is None else _dispatch_unit(today, unknown)
    files = Files(documents=submission.uploads, stored=submission.stored)
    waived = waived_documents(procedure, user, for_someone_else=principal is not None)
    check_inputs(procedure, files, all_required=True, waived=waived)
    files = stored_first(procedure, files, user)
    now = utcnow()
    dossier = Dossier(
        code=portal.code if portal is not None and portal.code else allocate_code(unit, to_local(now).date()),
        procedure_code=procedure.code,
        procedure_version=procedure.version,
        channel=channel,
        data=data,
        summary=(portal.summary if portal is not None and portal.summary else procedure.name.vi)[:500],
        receiving_unit=unit,
        current_unit=holder,
        competent_unit=competent,
        dispatch_reason=unknown[:255] if unknown else None,
        received_outside_area=is_outside_area(unit, competent),
        created_by_id=user.id,
        submitted_at=now,
        **applicant,
    )
    db.session.add(dossier)
    return start(dossier, user, files)


def _dispatch_unit(today: date, reason: str) -> Unit:
    """The provincial centre's dispatch queue, where a dossier nobody can route waits."""
    unit = dispatch_unit(current_app.config["ORG_LEVELS"][0], today)
    if unit is None:
        raise ValidationError(reason, {"unit": reason})
    return unit


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
