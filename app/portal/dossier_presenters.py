"""What the citizen's dossier pages show: the timeline in plain words (the sentence each transition
declares, the comments it makes public, the names as they were at each event), the badge and time
left, what the applicant may do now (by the effects of what the engine offers), and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.audit import presenters as audit_labels
from app.audit.permissions import can_see_dossier_accesses
from app.audit.queries import list_dossier_accesses
from app.auth.models import User
from app.calendar.services import get_calendar
from app.dossiers.models import Dossier, DossierEvent
from app.org.models import Unit
from app.procedures.definitions import Procedure, Transition
from app.workflow.audience import is_public, result_documents  # noqa: F401 (the pages read it here)
from app.workflow.engine import available_transitions, procedure_of

SOURCES = {
    "citizen_upload": _l("Bạn tải lên"),
    "counter_scan": _l("Số hoá tại bộ phận một cửa"),
    "reused": _l("Dùng lại từ hồ sơ trước"),
    "issued": _l("Cơ quan cấp"),
}


def lang() -> str:
    return g.get("lang", "vi")


@dataclass(frozen=True)
class ApplicantActions:
    """What the applicant may do now: answer a request for documents, withdraw."""

    supply: Transition | None = None
    withdraw: Transition | None = None

    @classmethod
    def of(cls, dossier: Dossier, user: User) -> ApplicantActions:
        offered = available_transitions(dossier, user)
        return cls(
            next((t for t in offered if t.effects.answers_applicant), None),
            next((t for t in offered if t.effects.withdraws), None),
        )


@dataclass
class Row:
    dossier: Dossier
    procedure_name: str
    status_label: str
    badge: tuple[str, str] | None


@dataclass
class TimelineEntry:
    at: datetime
    text: str
    unit: str | None
    note: str | None = None
    items: list[str] = field(default_factory=list)


def _duration(minutes: int) -> str:
    """Working time in days and hours of the calendar ("2 ngày 3 giờ"); minutes only under an hour."""
    days, rest = divmod(minutes, get_calendar().minutes_per_day or 480)
    hours, mins = divmod(rest, 60)
    parts = [ngettext("%(num)d ngày", "%(num)d ngày", days)] if days else []
    parts += [ngettext("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
    return " ".join(parts) or ngettext("%(num)d phút", "%(num)d phút", mins)


def is_final(dossier: Dossier) -> bool:
    return procedure_of(dossier).states[dossier.state].is_final


def time_left(dossier: Dossier, now: datetime) -> str | None:
    if dossier.due_at is None or dossier.completed_at is not None or is_final(dossier):
        return None
    calendar = get_calendar()
    if dossier.is_paused:
        left = calendar.working_minutes_between(dossier.paused_at, dossier.due_at)
        return _("còn %(left)s làm việc (đang tạm dừng)", left=_duration(left))
    if now > dossier.due_at:
        return _(
            "Đã quá hạn %(late)s làm việc",
            late=_duration(calendar.working_minutes_between(dossier.due_at, now)),
        )
    return _("còn %(left)s làm việc", left=_duration(calendar.working_minutes_between(now, dossier.due_at)))


def deadline_badge(dossier: Dossier, actions: ApplicantActions, now: datetime) -> tuple[str, str] | None:
    """(css modifier, text): tạm dừng chờ bổ sung / quá hạn / sắp đến hạn / đúng hạn; None without a clock."""
    if actions.supply is not None:
        return "warn", _("Tạm dừng chờ bổ sung")
    if dossier.is_paused:
        return "warn", _("Tạm dừng")
    if dossier.completed_at is not None and dossier.outcome:
        return ("bad", _("Quá hạn")) if dossier.outcome == "late" else ("ok", _("Đúng hạn"))
    if dossier.due_at is None or dossier.completed_at is not None or is_final(dossier):
        return None
    if now > dossier.due_at:
        return "bad", _("Quá hạn")
    if get_calendar().near_due(dossier.received_at or dossier.submitted_at, dossier.due_at, now):
        return "warn", _("Sắp đến hạn")
    return "ok", _("Đúng hạn")


def _entry(event: DossierEvent, dossier: Dossier, procedure: Procedure) -> TimelineEntry:
    transition = procedure.find_transition(event.transition, event.from_state)
    as_of = event.as_of
    holding = as_of.unit.label(lang()) if as_of.unit else _("đơn vị tiếp theo")
    actor = as_of.actor
    if transition is None:  # a transition of no loaded workflow (a removed file): say only that
        return TimelineEntry(event.created_at, _("Hồ sơ được cập nhật"), None)
    public = is_public(event, procedure)
    return TimelineEntry(
        at=event.created_at,
        text=transition.effects.sentence.get(lang(), channel=dossier.channel, unit=holding),
        unit=(actor.unit.label(lang()) if actor and actor.unit else None),
        note=event.comment if public else None,
        items=list(event.payload.get("items") or []) if public else [],
    )


def timeline(dossier: Dossier) -> list[TimelineEntry]:
    procedure = procedure_of(dossier)
    return [_entry(event, dossier, procedure) for event in dossier.events]


def supplement_request(dossier: Dossier) -> DossierEvent | None:
    """The latest event that listed items to supply (Mẫu 02 at receipt or during appraisal)."""
    return next((e for e in reversed(dossier.events) if e.payload.get("items")), None)


def row(dossier: Dossier, user: User, now: datetime) -> Row:
    procedure = procedure_of(dossier)
    return Row(
        dossier,
        procedure.name.get(lang()),
        procedure.states[dossier.state].label.get(lang()),
        deadline_badge(dossier, ApplicantActions.of(dossier, user), now),
    )


@dataclass
class AccessEntry:
    """One look at the applicant's dossier by someone else, as the applicant sees it: the unit and
    the role that looked (officers act for their unit; their names are kept for the administrators)."""

    at: datetime
    unit: str | None
    role: str
    what: str


@dataclass
class Accesses:
    entries: list[AccessEntry]
    total: int


def _unit_name(unit: Unit | None) -> str | None:
    if unit is None:
        return None
    return unit.name_en if lang() == "en" and unit.name_en else unit.name


def accesses(dossier: Dossier, user: User) -> Accesses | None:
    """ "Ai đã xem hồ sơ của tôi": the newest accesses by others, for the applicant only."""
    if not can_see_dossier_accesses(user, dossier):
        return None
    rows, total = list_dossier_accesses(dossier.id)
    entries = [
        AccessEntry(
            at=row.created_at,
            unit=_unit_name(row.unit),
            role=audit_labels.role_label(row.role),
            what=audit_labels.access_kind(row) + (f": {row.item_name}" if row.item_name else ""),
        )
        for row in rows
    ]
    return Accesses(entries, total)


@dataclass(frozen=True)
class ResultCard:
    """What the applicant is told about the result, truthfully: the electronic files (signed or
    not) to download, and where the paper original is: to collect at the receiving centre, sent by
    post (with its tracking number), or already handed over."""

    files: list  # [(DossierDocument, SignedResult | None)]
    paper: str | None  # None (no paper original), "collect", "posted", "collected"
    centre: Unit | None
    by_post_too: bool = False  # the procedure also sends the paper original by post
    tracking_number: str | None = None


def _tracking_number(dossier: Dossier) -> str | None:
    numbers = [(e.payload or {}).get("tracking_number") for e in dossier.events]
    found = [n for n in numbers if n]
    return found[-1] if found else None


def result_card(dossier: Dossier, procedure: Procedure) -> ResultCard:
    from app.results.queries import signed_results_of

    documents = result_documents(dossier)
    signed = signed_results_of(dossier.id) if documents else {}
    files = [(d, signed.get(d.id)) for d in documents]
    spec = procedure.result
    has_paper = spec.is_paper if spec.declared else not files
    paper = None
    if has_paper:
        if dossier.returned_at is not None and dossier.return_method == "post":
            paper = "posted"
        elif dossier.returned_at is not None and dossier.return_method == "counter":
            paper = "collected"
        else:
            paper = "collect"
    return ResultCard(
        files=files,
        paper=paper,
        centre=dossier.receiving_unit,
        by_post_too=has_paper and "post" in spec.collect,
        tracking_number=_tracking_number(dossier) if paper == "posted" else None,
    )
