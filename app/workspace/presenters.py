"""What the dossier workspace shows: the engine's actions with the inputs each one takes (declared by
the transition's guards, actions and kind, never read from names), history, steps, and the reading
of a posted action form into the engine's payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.core.db import utcnow
from app.core.time import to_local
from app.dossiers.models import Dossier, DossierEvent
from app.org.models import Unit
from app.procedures.definitions import DocumentSpec, Procedure, Transition
from app.representation.queries import find_authorisation
from app.workflow.actions import forward_candidates
from app.workflow.documents import RESULT_KEY, Files, Upload
from app.workflow.engine import available_transitions, procedure_of
from app.workflow.routing import competent_choices
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
    competent_units: list[Unit] | None = None  # dispatch: the areas that may be named competent
    needs_return_method: bool = False
    result_file: str | None = None  # "required" / "optional" / None
    document_specs: tuple[DocumentSpec, ...] = ()  # input documents it takes, one file each

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
            or self.competent_units is not None
            or self.needs_return_method
            or self.result_file
            or self.document_specs
        )


def _result_file(dossier: Dossier, transition: Transition) -> str | None:
    """A required result is required until one is attached; an optional one is offered while none
    is, and always where documents are added."""
    if not transition.accepts("result_file"):
        return None
    has_result = any(d.is_result for d in dossier.documents)
    if transition.requires("result_file"):
        return "optional" if has_result else "required"
    return "optional" if not has_result or transition.accepts("documents") else None


def action_view(dossier: Dossier, transition: Transition, procedure: Procedure) -> ActionView:
    return ActionView(
        transition,
        needs_items=transition.accepts("items"),
        needs_reason=transition.requires("comment"),
        needs_appointment=transition.accepts("new_appointment_at"),
        specialists=list_specialists(dossier.current_unit_id) if transition.accepts("assignee") else None,
        units=forward_candidates(dossier, transition) if transition.accepts("unit") else None,
        competent_units=(
            competent_choices(procedure, to_local(utcnow()).date())
            if transition.accepts("competent_unit")
            else None
        ),
        needs_return_method=transition.accepts("return_method"),
        result_file=_result_file(dossier, transition),
        document_specs=procedure.documents if transition.accepts("documents") else (),
    )


def list_actions(dossier: Dossier, user: User) -> list[ActionView]:
    """Exactly the engine's available transitions for this user, in workflow order."""
    procedure = procedure_of(dossier)
    return [action_view(dossier, t, procedure) for t in available_transitions(dossier, user)]


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
    if action.competent_units is not None and form.get("competent_unit"):
        payload["competent_unit"] = form["competent_unit"].strip()[:40]
    if action.needs_return_method:
        payload["return_method"] = form.get("return_method") or ""
        if (form.get("tracking_number") or "").strip():  # by post: the postal tracking number
            payload["tracking_number"] = form["tracking_number"].strip()[:40]
    return payload


def posted_files(action: ActionView, files: MultiDict) -> Files:
    """The files of a posted action form: the result file, and one file per input document."""
    results = [Upload(RESULT_KEY, f.filename, f.stream) for f in files.getlist("result_file") if f.filename]
    documents = [
        Upload(spec.key, f.filename, f.stream)
        for spec in action.document_specs
        for f in files.getlist(f"document:{spec.key}")
        if f.filename
    ]
    return Files(documents=documents, results=results if action.result_file else [])


@dataclass
class HistoryEntry:
    event: DossierEvent
    label: str
    actor: str  # as named when they acted
    unit: str  # the unit they acted for, as named then
    items: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # names of the files the event added
    on_behalf_of: str = ""  # the represented applicant, when the actor acted for them


def _event_label(procedure: Procedure, event: DossierEvent) -> str:
    transition = procedure.find_transition(event.transition, event.from_state)
    return transition.label.get(lang()) if transition else event.transition


def history(dossier: Dossier) -> list[HistoryEntry]:
    """Every event, as it was recorded: the names of who acted and where are the snapshot's."""
    procedure = procedure_of(dossier)
    added: dict[int, list[str]] = {}
    for document in dossier.documents:
        if document.event_id is not None:
            added.setdefault(document.event_id, []).append(document.original_name)
    entries = []
    for event in dossier.events:
        actor = event.as_of.actor
        entries.append(
            HistoryEntry(
                event,
                _event_label(procedure, event),
                actor.name if actor else "",
                actor.unit.label(lang()) if actor and actor.unit else "",
                list(event.payload.get("items") or []),
                added.get(event.id, []),
                event.represented_name or "",
            )
        )
    return entries


@dataclass(frozen=True)
class Filer:
    """Someone who acted for the applicant: an authorised representative or a counter officer."""

    name: str  # as named when they acted
    authorisation_id: int | None
    valid_through: str  # the authorisation's last day, dd/mm/yyyy


def representatives(dossier: Dossier) -> list[Filer]:
    """Each one who acted on the applicant's behalf, once, in the order they first did."""
    seen: set[tuple[int | None, int | None]] = set()
    found = []
    for event in dossier.events:
        actor = event.as_of.actor
        key = (actor.id if actor else None, event.authorisation_id)
        if not event.is_on_behalf or key in seen:
            continue
        seen.add(key)
        authorisation = find_authorisation(event.authorisation_id) if event.authorisation_id else None
        through = authorisation.valid_through.strftime("%d/%m/%Y") if authorisation else ""
        found.append(Filer(actor.name if actor else "", event.authorisation_id, through))
    return found


def step_outcome(step: Any, now: datetime) -> tuple[str, str] | None:
    if step.outcome in OUTCOMES:
        css, text = OUTCOMES[step.outcome]
        return css, str(text)
    if step.finished_at is None and step.paused_at is None and now > step.due_at:
        return "bad", str(_l("Đang quá hạn"))
    return None
