"""The whole mapping to the National Public Service Portal (via the provincial LGSP), in one module
so a province can adjust it: field names, codes, what each list holds.

`build_dossier_message` and `build_progress_message` describe the dossier **as of one event**: status,
unit, reception, appointment, return time and supplement rounds are replayed from that event and the
ones before it (with the same working calendar the engine used), so a message delivered hours late
still tells the truth about that change. Document lists hold the documents attached before the next
event. Every outgoing message is checked by `validate` against `schemas/<kind>.schema.json`
(JSON Schema 2020-12). Timestamps are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (DOMAIN §7).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as JsonSchemaError

from app.calendar.services import get_calendar
from app.core.time import parse_instant, to_local
from app.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from app.org.models import Unit
from app.procedures import get_registry
from app.procedures.definitions import Procedure, Transition

TIME_FORMAT = "%Y%m%d%H%M%S"
CHANNEL_FIELD_DEFAULT = "KenhNopHoSo"  # the public contract's name is unclear: NATIONAL_CHANNEL_FIELD
CHANNEL_CODES = {"counter": 1, "online": 2, "postal": 3}
SUPPLEMENT_CODE = 5  # national status "yêu cầu bổ sung"
SUBMIT_TITLE = "Nộp hồ sơ"  # the submission is an event but not a transition of the YAML
FEE_NAME = "Lệ phí"
# DanhSachHoSoBoSung: LoaiBoSung 1 = supplement request (Mẫu 02), 2 = new appointment (Mẫu 04);
# TrangThaiBoSung 0 = waiting for the applicant, 1 = done, 2 = closed without a supplement.
ROUND_SUPPLEMENT, ROUND_EXTENSION = 1, 2
ROUND_WAITING, ROUND_DONE, ROUND_CLOSED = 0, 1, 2
SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("dossier", "progress")


class SchemaError(ValueError):
    """An outgoing message does not match its schema; `fields` lists the failing paths."""

    def __init__(self, kind: str, problems: list[tuple[str, str]]) -> None:
        self.kind = kind
        self.fields = [path for path, _ in problems]
        text = "; ".join(f"{path}: {message}" for path, message in problems)
        super().__init__(f"{kind} message does not match its schema: {text}")


def national_time(value: datetime | None) -> str | None:
    """`yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; None stays None (the schema allows null there)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: every instant must carry its time zone")
    return to_local(value).strftime(TIME_FORMAT)


def channel_field() -> str:
    if not has_app_context():
        return CHANNEL_FIELD_DEFAULT
    return current_app.config.get("NATIONAL_CHANNEL_FIELD") or CHANNEL_FIELD_DEFAULT


# --- the dossier as of one event ----------------------------------------------------------------


@dataclass
class _Round:
    kind: int
    event: DossierEvent
    appointment_before: datetime | None
    appointment_after: datetime | None = None
    supplied_at: datetime | None = None
    status: int = ROUND_WAITING
    closed_by: DossierEvent | None = None  # the event that set appointment_after


@dataclass
class _AsOf:
    """The processing facts just after one event, replayed from the events up to it."""

    unit: Unit
    received_at: datetime | None = None
    due_at: datetime | None = None
    appointment_at: datetime | None = None
    returned_at: datetime | None = None
    paused_at: datetime | None = None
    step: DossierStep | None = None  # the step open after the event
    step_before: DossierStep | None = None  # the step open before it: the one the event acted in
    step_due: dict[int, datetime] = field(default_factory=dict)
    rounds: list[_Round] = field(default_factory=list)
    cutoff: datetime | None = None  # the next event's time: documents attached before it count


def _procedure(dossier: Dossier) -> Procedure:
    return get_registry().get(dossier.procedure_code, dossier.procedure_version)


def _transition_of(procedure: Procedure, event: DossierEvent) -> Transition | None:
    if event.from_state is None:
        return None
    return next(
        (t for t in procedure.transitions if t.name == event.transition and event.from_state in t.sources),
        None,
    )


def _code(procedure: Procedure, state: str | None) -> int | None:
    return procedure.states[state].national_code if state in procedure.states else None


def _replay(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> _AsOf:
    """Walk the events up to `event`, applying what each transition's actions did to the times."""
    events = sorted(dossier.events, key=lambda e: e.id)
    upto = [e for e in events if e.id <= event.id]
    later = [e for e in events if e.id > event.id]
    facts = _AsOf(unit=dossier.receiving_unit, cutoff=later[0].created_at if later else None)
    steps = iter(sorted(dossier.steps, key=lambda s: s.seq))
    for past in upto:
        facts.step_before = facts.step
        transition = _transition_of(procedure, past)
        appointment_before = facts.appointment_at
        for action in transition.actions if transition else ():
            _apply(facts, action, past, transition, procedure, steps)
        if procedure.states.get(past.to_state) is not None and procedure.states[past.to_state].is_final:
            facts.step, facts.paused_at = None, None
        _track_rounds(facts, past, transition, procedure, appointment_before)
    if not later:
        _take_stored(facts, dossier, event)
    return facts


def _apply(
    facts: _AsOf,
    action: str,
    event: DossierEvent,
    transition: Transition,
    procedure: Procedure,
    steps: Iterator[DossierStep],
) -> None:
    calendar, now = get_calendar(), event.created_at
    if action == "start_clock":
        deadline = procedure.deadline
        facts.received_at = now
        facts.due_at = calendar.due_at(now, deadline.kind, deadline.amount, deadline.cutoff)
        facts.appointment_at = facts.due_at
    if action in ("start_clock", "open_step"):
        _open_step(facts, transition, now, next(steps, None))
    elif action == "pause_clock":
        facts.paused_at = now
    elif action == "resume_clock" and facts.paused_at is not None:
        if facts.due_at is not None:
            moved = calendar.resume_due_at(facts.paused_at, facts.due_at, now)
            if facts.appointment_at == facts.due_at:
                facts.appointment_at = moved
            facts.due_at = moved
        if facts.step is not None and facts.step.id in facts.step_due:
            facts.step_due[facts.step.id] = calendar.resume_due_at(
                facts.paused_at, facts.step_due[facts.step.id], now
            )
        facts.paused_at = None
    elif action == "extend":
        facts.appointment_at = parse_instant(event.payload["new_appointment_at"])
    elif action == "finish":
        facts.step = None
    elif action == "record_return":
        facts.returned_at = now


def _open_step(facts: _AsOf, transition: Transition, now: datetime, step: DossierStep | None) -> None:
    """Steps are opened in seq order by start_clock / open_step: the n-th such action opened step n."""
    facts.step = step
    if step is None:
        return
    facts.unit = step.unit
    budget = transition.step.budget if transition.step else None
    if budget is None:
        facts.step_due[step.id] = step.due_at
    else:
        facts.step_due[step.id] = get_calendar().due_at(now, budget.kind, budget.amount, budget.cutoff)


def _track_rounds(
    facts: _AsOf,
    event: DossierEvent,
    transition: Transition | None,
    procedure: Procedure,
    before: datetime | None,
) -> None:
    """Supplement rounds open on entering a national-5 state and close on leaving it; every
    extension (Mẫu 04) is a round of its own, with the old and new appointment."""
    entering = _code(procedure, event.to_state) == SUPPLEMENT_CODE
    leaving = _code(procedure, event.from_state) == SUPPLEMENT_CODE
    open_round = facts.rounds[-1] if facts.rounds and facts.rounds[-1].status == ROUND_WAITING else None
    if leaving and not entering and open_round is not None:
        if event.transition == "supplement":
            open_round.status, open_round.supplied_at = ROUND_DONE, event.created_at
            open_round.appointment_after, open_round.closed_by = facts.appointment_at, event
        else:  # withdrawn or stopped while waiting: no supplement, no new appointment
            open_round.status = ROUND_CLOSED
    if entering and not leaving:
        facts.rounds.append(_Round(ROUND_SUPPLEMENT, event, before))
    if transition is not None and "extend" in transition.actions:
        facts.rounds.append(
            _Round(ROUND_EXTENSION, event, before, facts.appointment_at, status=ROUND_DONE, closed_by=event)
        )


def _take_stored(facts: _AsOf, dossier: Dossier, latest: DossierEvent) -> None:
    """For the latest event the dossier's own columns are the truth (even if the calendar changed)."""
    facts.unit = dossier.current_unit
    facts.received_at, facts.due_at = dossier.received_at, dossier.due_at
    facts.appointment_at, facts.returned_at = dossier.appointment_at, dossier.returned_at
    for step in dossier.steps:
        facts.step_due[step.id] = step.due_at
    for round_ in facts.rounds:
        if round_.closed_by is latest:
            round_.appointment_after = dossier.appointment_at


# --- messages -------------------------------------------------------------------------------------


def _documents(dossier: Dossier, facts: _AsOf) -> list[DossierDocument]:
    return [d for d in dossier.documents if facts.cutoff is None or d.created_at < facts.cutoff]


def _submitted_documents(dossier: Dossier, facts: _AsOf, procedure: Procedure) -> list[dict[str, Any]]:
    """The inputs current at that time: a later upload of the same key replaces an earlier one."""
    inputs = [d for d in _documents(dossier, facts) if not d.is_result]
    latest = {d.doc_key: d for d in sorted(inputs, key=lambda d: (d.created_at, d.id))}
    rows = []
    for document in sorted(latest.values(), key=lambda d: d.id):
        spec = procedure.document(document.doc_key)
        rows.append(
            {
                "TepDinhKemId": document.id,
                "TenTepDinhKem": document.original_name,
                "MaThanhPhanHoSo": document.doc_key,
                "TenThanhPhanHoSo": spec.name.vi if spec else document.doc_key,
            }
        )
    return rows


def _result_documents(dossier: Dossier, facts: _AsOf, procedure: Procedure) -> list[dict[str, Any]]:
    name = (procedure.result_name or procedure.name).vi
    return [
        {"GiayToId": d.id, "TenGiayTo": name, "TenTepDinhKem": d.original_name}
        for d in _documents(dossier, facts)
        if d.is_result
    ]


def _fees(procedure: Procedure) -> list[dict[str, Any]]:
    if procedure.fee <= 0:
        return []
    note = procedure.fee_note.vi if procedure.fee_note else None
    return [{"TenPhiLePhi": FEE_NAME, "Gia": procedure.fee, "MoTa": note}]


def _round_row(round_: _Round) -> dict[str, Any]:
    event = round_.event
    items = [str(i) for i in (event.payload or {}).get("items") or []]
    return {
        "HoSoBoSungId": event.id,
        "LoaiBoSung": round_.kind,
        "NguoiYeuCauBoSung": event.actor.full_name if event.actor else None,
        "NoiDungBoSung": "; ".join(items) if items else (event.comment or None),
        "LyDo": event.comment or None,
        "NgayYeuCauBoSung": national_time(event.created_at),
        "NgayTiepNhanBoSung": national_time(round_.supplied_at),
        "TrangThaiBoSung": round_.status,
        "NgayHenTraTruoc": national_time(round_.appointment_before),
        "NgayHenTraMoi": national_time(round_.appointment_after),
    }


def build_dossier_message(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """The dossier message (đồng bộ hồ sơ) for the change `event` made."""
    procedure = _procedure(dossier)
    facts = _replay(dossier, event, procedure)
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name.vi,
        "MaLinhVuc": procedure.field_code,
        "TenLinhVuc": procedure.field_name.vi,
        "ChuHoSo": dossier.applicant_name,
        "MaDoiTuong": dossier.applicant_citizen_id or None,
        "SoDienThoai": dossier.applicant_phone or None,
        "Email": dossier.applicant_email or None,
        "TrichYeuHoSo": dossier.summary or None,
        "NgayTiepNhan": national_time(facts.received_at),
        "NgayHenTra": national_time(facts.appointment_at),
        "TrangThaiHoSo": procedure.states[event.to_state].national_code,
        "NgayTra": national_time(facts.returned_at),
        "DonViXuLy": facts.unit.name,
        channel_field(): CHANNEL_CODES[dossier.channel],
        "MaDinhDanhDV": dossier.receiving_unit.code,
        "TaiLieuNop": _submitted_documents(dossier, facts, procedure),
        "DanhSachLePhi": _fees(procedure),
        "DanhSachHoSoBoSung": [_round_row(r) for r in facts.rounds],
        "DanhSachGiayToKetQua": _result_documents(dossier, facts, procedure),
    }


def build_progress_message(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """The progress message (tiến độ xử lý) of one event: who did what, where, in which step.

    The step is the one the action was taken in (open before the event), else the one it opened.
    """
    procedure = _procedure(dossier)
    facts = _replay(dossier, event, procedure)
    transition = _transition_of(procedure, event)
    step = facts.step_before or facts.step
    unit = event.actor_unit or (step.unit if step is not None else dossier.receiving_unit)
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor.full_name if event.actor else None,
        "TieuDe": transition.label.vi if transition else _title_without_transition(event),
        "ThoiDiemXuLy": national_time(event.created_at),
        "DonViXuLy": unit.name,
        "NoiDung": event.comment or None,
        "TrangThai": procedure.states[event.to_state].national_code,
        "NgayBatDau": national_time(step.started_at) if step else None,
        "NgayKetThucTheoQuyDinh": national_time(facts.step_due.get(step.id)) if step else None,
        "MaDinhDanhDV": dossier.receiving_unit.code,
    }


def _title_without_transition(event: DossierEvent) -> str:
    return SUBMIT_TITLE if event.from_state is None else event.transition


# --- validation -----------------------------------------------------------------------------------


@cache
def _validator(kind: str, channel_key: str) -> Draft202012Validator:
    """Loaded once per kind (and channel key): the schema names the channel KenhNopHoSo; a province
    that configured another name gets the same rule under its name."""
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    properties = schema["properties"]
    if CHANNEL_FIELD_DEFAULT in properties and channel_key != CHANNEL_FIELD_DEFAULT:
        properties[channel_key] = properties.pop(CHANNEL_FIELD_DEFAULT)
        schema["required"] = [channel_key if k == CHANNEL_FIELD_DEFAULT else k for k in schema["required"]]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path(error: JsonSchemaError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problems(error: JsonSchemaError) -> list[tuple[str, str]]:
    """One (path, message) per failing field; a missing or unexpected key is named itself."""
    base = _path(error)
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        names = [k for k in error.validator_value if k not in instance]
    elif error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {})
        names = [k for k in instance if k not in allowed]
    else:
        return [(base or "(message)", error.message)]
    message = "required" if error.validator == "required" else "not allowed"
    return [(f"{base}.{name}" if base else name, message) for name in names]


def validate(message: dict[str, Any], kind: str) -> None:
    """Raise SchemaError naming every failing field path unless `message` matches the `kind` schema."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}; expected one of {KINDS}")
    validator = _validator(kind, channel_field() if kind == "dossier" else CHANNEL_FIELD_DEFAULT)
    errors = sorted(validator.iter_errors(message), key=lambda e: list(map(str, e.absolute_path)))
    problems = [problem for error in errors for problem in _problems(error)]
    if problems:
        raise SchemaError(kind, problems)
