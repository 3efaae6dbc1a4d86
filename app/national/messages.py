"""The whole mapping to the National Public Service Portal (via the provincial LGSP), in one module
so a province can adjust it: field names, codes, what each list holds.

`build_dossier_message` and `build_progress_message` describe the dossier **as of one event**: status,
unit, reception, appointment and return time come from the event's snapshot (app.dossiers.snapshots),
supplement rounds from the snapshots of that event and the ones before it, documents from those
added by then; so a message delivered hours late still tells the truth about that change. Every
outgoing message is checked by `validate` against `schemas/<kind>.schema.json` (JSON Schema 2020-12).
Timestamps are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as JsonSchemaError

from app.core.time import to_local
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.snapshots import documents_as_of
from app.national.queries import national_code_of
from app.procedures import get_registry
from app.procedures.definitions import Procedure

TIME_FORMAT = "%Y%m%d%H%M%S"
CHANNEL_FIELD_DEFAULT = "KenhNopHoSo"  # the public contract's name is unclear: NATIONAL_CHANNEL_FIELD
CHANNEL_CODES = {"counter": 1, "online": 2, "postal": 3, "national_portal": 2}  # filed on the portal: online
SUPPLEMENT_CODE = 5  # national status "yêu cầu bổ sung"
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


def _procedure(dossier: Dossier) -> Procedure:
    return get_registry().get(dossier.procedure_code, dossier.procedure_version)


def _code(procedure: Procedure, state: str | None) -> int | None:
    return procedure.states[state].national_code if state in procedure.states else None


def _events_until(dossier: Dossier, event: DossierEvent) -> list[DossierEvent]:
    return [e for e in sorted(dossier.events, key=lambda e: e.id) if e.id <= event.id]


def _rounds(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> list[_Round]:
    """Supplement rounds open on entering a national-5 state and close on leaving it (done when the
    dossier goes on, closed when it ends there); every new appointment (Mẫu 04) is a round of its
    own, with the old and new appointment."""
    rounds: list[_Round] = []
    before: datetime | None = None
    for past in _events_until(dossier, event):
        as_of = past.as_of
        entering = _code(procedure, past.to_state) == SUPPLEMENT_CODE
        leaving = _code(procedure, past.from_state) == SUPPLEMENT_CODE
        waiting = rounds[-1] if rounds and rounds[-1].status == ROUND_WAITING else None
        if leaving and not entering and waiting is not None:
            target = procedure.states.get(past.to_state)
            if target is not None and target.is_final:  # withdrawn or stopped while waiting
                waiting.status = ROUND_CLOSED
            else:
                waiting.status, waiting.supplied_at = ROUND_DONE, past.created_at
                waiting.appointment_after = as_of.instant("appointment_at")
        if entering and not leaving:
            rounds.append(_Round(ROUND_SUPPLEMENT, past, before))
        transition = procedure.find_transition(past.transition, past.from_state)
        if transition is not None and "set_new_appointment" in transition.actions:
            rounds.append(
                _Round(ROUND_EXTENSION, past, before, as_of.instant("appointment_at"), status=ROUND_DONE)
            )
        before = as_of.instant("appointment_at")
    return rounds


# --- messages -------------------------------------------------------------------------------------


def _submitted_documents(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> list[dict[str, Any]]:
    """The inputs current just after the event: a later file of a key replaces an earlier one."""
    inputs, _ = documents_as_of(dossier.documents, event)
    rows = []
    for document in sorted(inputs, key=lambda d: d.id):
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


def _result_documents(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> list[dict[str, Any]]:
    name = (procedure.result_name or procedure.name).vi
    _, results = documents_as_of(dossier.documents, event)
    return [
        {"GiayToId": d.id, "TenGiayTo": name, "TenTepDinhKem": d.original_name}
        for d in sorted(results, key=lambda d: d.id)
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
        "NguoiYeuCauBoSung": event.as_of.actor_name or None,
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
    procedure, as_of = _procedure(dossier), event.as_of
    holding = as_of.unit
    return {
        "MaHoSo": national_code_of(dossier),
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name.vi,
        "MaLinhVuc": procedure.field_code,
        "TenLinhVuc": procedure.field_name.vi,
        "ChuHoSo": dossier.applicant_name,
        "MaDoiTuong": dossier.applicant_citizen_id or None,
        "SoDienThoai": dossier.applicant_phone or None,
        "Email": dossier.applicant_email or None,
        "TrichYeuHoSo": dossier.summary or None,
        "NgayTiepNhan": national_time(as_of.instant("received_at")),
        "NgayHenTra": national_time(as_of.instant("appointment_at")),
        "TrangThaiHoSo": procedure.states[event.to_state].national_code,
        "NgayTra": national_time(as_of.instant("returned_at")),
        "DonViXuLy": holding.name if holding else dossier.receiving_unit.name,
        channel_field(): CHANNEL_CODES[dossier.channel],
        "MaDinhDanhDV": dossier.receiving_unit.code,
        "TaiLieuNop": _submitted_documents(dossier, event, procedure),
        "DanhSachLePhi": _fees(procedure),
        "DanhSachHoSoBoSung": [_round_row(r) for r in _rounds(dossier, event, procedure)],
        "DanhSachGiayToKetQua": _result_documents(dossier, event, procedure),
    }


def build_progress_message(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """The progress message (tiến độ xử lý) of one event: who did what, where, in which step.

    The step is the one the action was taken in (open before the event), else the one it opened.
    """
    procedure, as_of = _procedure(dossier), event.as_of
    transition = procedure.find_transition(event.transition, event.from_state)
    step = as_of.acted_in or as_of.step
    actor = as_of.actor
    if actor is not None and actor.unit is not None:
        unit = actor.unit.name
    else:
        unit = step.unit.name if step is not None and step.unit else dossier.receiving_unit.name
    return {
        "MaHoSo": national_code_of(dossier),
        "NguoiXuLy": actor.name if actor else None,
        "TieuDe": transition.label.vi if transition else event.transition,
        "ThoiDiemXuLy": national_time(event.created_at),
        "DonViXuLy": unit,
        "NoiDung": event.comment or None,
        "TrangThai": procedure.states[event.to_state].national_code,
        "NgayBatDau": national_time(step.started_at) if step else None,
        "NgayKetThucTheoQuyDinh": national_time(step.due_at) if step else None,
        "MaDinhDanhDV": dossier.receiving_unit.code,
    }


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
