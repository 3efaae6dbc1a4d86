"""What the dossier workspace shows: the engine's actions with the inputs each one needs (read from
the transition's guards and actions, never from state names), history, steps, and the reading of
a posted action form into the engine's payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.dossiers.models import Dossier, DossierEvent
from app.org.models import Unit
from app.procedures.definitions import Procedure, Transition
from app.workflow.actions import forward_candidates
from app.workflow.engine import available_transitions, procedure_of
from app.workflow.submission import Upload
from app.workspace.queries import list_specialists

NATIONAL_STATUS = {
    1: _l("Mới đăng ký"),
    2: _l("Được tiếp nhận"),
    3: _l("Không được tiếp nhận"),
    4: _l("Đang xử lý"),
    5: _l("Yêu cầu bổ sung"),
    6: _l("Yêu cầu thực hiện nghĩa vụ tài chính"),
    7: _l("Công dân rút hồ sơ"),
    8: _l("Dừng xử lý"),
    9: _l("Đã xử lý xong"),
    10: _l("Đã trả kết quả"),
}
RETURN_METHOD_LABELS = {
    "counter": _l("Trả trực tiếp tại bộ phận một cửa"),
    "post": _l("Gửi qua bưu chính"),
    "electronic": _l("Trả kết quả điện tử"),
}
OUTCOMES = {
    "early": ("ok", _l("Trước hạn")),
    "on_time": ("ok", _l("Đúng hạn")),
    "late": ("bad", _l("Quá hạn")),
}
SOURCES = {
    "citizen_upload": _l("Công dân tải lên"),
    "counter_scan": _l("Số hoá tại bộ phận một cửa"),
    "reused": _l("Dùng lại từ hồ sơ trước"),
    "issued": _l("Cơ quan cấp"),
}
PREVIEWABLE = ("application/pdf", "image/jpeg", "image/png")


def lang() -> str:
    return g.get("lang", "vi")


def unit_name(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.name_en if lang() == "en" and unit.name_en else unit.name


@dataclass
class ActionView:
    """One action the engine offers, and the inputs its form asks for."""

    transition: Transition
    needs_items: bool = False
    needs_reason: bool = False
    needs_appointment: bool = False
    specialists: list[User] | None = None
    units: list[Unit] | None = None
    needs_return_method: bool = False
    result_file: str | None = None  # "required" / "optional" / None

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return self.transition.label.get(lang())

    @property
    def needs_input(self) -> bool:
        return bool(
            self.needs_items
            or self.needs_reason
            or self.needs_appointment
            or self.specialists is not None
            or self.units is not None
            or self.needs_return_method
            or self.result_file
        )


def action_view(dossier: Dossier, transition: Transition) -> ActionView:
    guards, actions = set(transition.guards), set(transition.actions)
    has_result = any(d.is_result for d in dossier.documents)
    forwards_choice = (
        "open_step" in actions and transition.forward_to and transition.forward_to.kind != "@receiving"
    )
    result_file = None
    if transition.name == "approve" or "has_result" in guards:
        result_file = "optional" if has_result else "required"
    elif transition.name == "complete" and not has_result:
        result_file = "optional"
    return ActionView(
        transition,
        needs_items="has_items" in guards,
        needs_reason="has_reason" in guards or transition.requires_comment,
        needs_appointment="new_appointment" in guards or "extend" in actions,
        specialists=list_specialists(dossier.current_unit_id)
        if "has_assignee" in guards or "assign" in actions
        else None,
        units=forward_candidates(dossier, transition) if forwards_choice else None,
        needs_return_method="record_return" in actions,
        result_file=result_file,
    )


def list_actions(dossier: Dossier, user: User) -> list[ActionView]:
    """Exactly the engine's available transitions for this user, in workflow order."""
    return [action_view(dossier, t) for t in available_transitions(dossier, user)]


def payload_from(action: ActionView, form: MultiDict) -> dict[str, Any]:
    """The engine payload from a posted action form; blank inputs are left out so guards name them."""
    payload: dict[str, Any] = {}
    comment = (form.get("comment") or "").strip()[:5000]
    if comment:
        payload["comment"] = comment
    if action.needs_items:
        items = [line.strip() for line in (form.get("items") or "").splitlines() if line.strip()]
        if items:
            payload["items"] = items[:100]
    if action.needs_appointment and form.get("new_appointment_at"):
        payload["new_appointment_at"] = form["new_appointment_at"].strip()[:40]
    if action.specialists is not None and form.get("assignee"):
        payload["assignee"] = form["assignee"].strip()[:64]
    if action.units is not None and form.get("unit"):
        payload["unit"] = form["unit"].strip()[:40]
    if action.needs_return_method:
        payload["return_method"] = form.get("return_method") or ""
    return payload


def result_uploads(action: ActionView, files: MultiDict) -> list[Upload]:
    if not action.result_file:
        return []
    return [
        Upload(key="result", filename=f.filename, stream=f.stream)
        for f in files.getlist("result_file")
        if f.filename
    ]


@dataclass
class HistoryEntry:
    event: DossierEvent
    label: str
    items: list[str] = field(default_factory=list)


def _event_label(procedure: Procedure, event: DossierEvent) -> str:
    if event.transition == "submit":
        return str(_l("Nộp hồ sơ"))  # "Submit application" (portal.po)
    candidates = [t for t in procedure.transitions if t.name == event.transition]
    exact = next((t for t in candidates if event.from_state in t.sources), None)
    chosen = exact or (candidates[0] if candidates else None)
    return chosen.label.get(lang()) if chosen else event.transition


def history(dossier: Dossier) -> list[HistoryEntry]:
    procedure = procedure_of(dossier)
    return [
        HistoryEntry(e, _event_label(procedure, e), list(e.payload.get("items") or []))
        for e in dossier.events
    ]


def step_outcome(step: Any, now: datetime) -> tuple[str, str] | None:
    if step.outcome in OUTCOMES:
        css, text = OUTCOMES[step.outcome]
        return css, str(text)
    if step.finished_at is None and step.paused_at is None and now > step.due_at:
        return "bad", str(_l("Đang quá hạn"))
    return None
