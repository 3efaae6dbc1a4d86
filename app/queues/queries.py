"""Officer queues: the open dossiers a unit's reception officers, specialists or leaders act on now.

Which dossiers belong to a queue comes from the procedure registry, never from state names written
here: a queue of role R holds the dossiers whose (procedure, version, state) offers R a transition.
Every page is one range scan of the partial index ix_dossiers_queue (current_unit_id, queue_due_at, id),
keyset-paginated on (queue_due_at, id), so the first page and a deep page cost the same.

`queue_statement` is the exact SQL of a page; `benchmarks/queue.py` runs it bare to measure our overhead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, false, or_, select, true, tuple_

from app.auth.models import User
from app.auth.roles import Role
from app.calendar.services import get_display_calendar
from app.core.cursors import (  # noqa: F401 (the queue API names them here)
    Cursor,
    decode_cursor,
    encode_cursor,
)
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.time import VN_TZ
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.procedures import get_registry
from app.procedures.vocabulary import WORK
from app.search.queries import held_dossier_ids
from app.search.terms import CITIZEN_ID, CODE, CODE_END, PHONE, read_term

KINDS = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER)  # one queue per officer role
PAGE_SIZE = 50
MAX_LIMIT = 200

COLUMNS = (
    Dossier.id,
    Dossier.code,
    Dossier.procedure_code,
    Dossier.procedure_version,
    Dossier.state,
    Dossier.channel,
    Dossier.applicant_name,
    Dossier.applicant_citizen_id,
    Dossier.submitted_at,
    Dossier.received_at,
    Dossier.due_at,
    Dossier.appointment_at,
    Dossier.paused_at,
    Dossier.assignee_id,
    Dossier.queue_due_at,
    # The open step (the leg now running), read in the same statement: its due time and start.
    *(
        select(column)
        .where(DossierStep.dossier_id == Dossier.id, DossierStep.finished_at.is_(None))
        .order_by(DossierStep.seq.desc())
        .limit(1)
        .correlate(Dossier)
        .scalar_subquery()
        .label(name)
        for column, name in ((DossierStep.due_at, "step_due_at"), (DossierStep.started_at, "step_started_at"))
    ),
)


@dataclass(frozen=True)
class QueueFilters:
    procedure: str | None = None
    state: str | None = None
    channel: str | None = None
    overdue: bool = False
    date_from: date | None = None  # submitted on or after this local date
    date_to: date | None = None  # submitted on or before this local date
    q: str | None = None  # code or its end, citizen ID, phone or applicant name words (app.search.terms)
    assignee_id: int | None = None  # "mine": dossiers assigned to this officer


@dataclass
class QueueRow:
    code: str
    procedure_code: str
    procedure_name: str
    state_label: str
    channel: str
    applicant_name: str
    applicant_citizen_id: str | None
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None  # the current step's due time, else the dossier's
    minutes_left: int | None  # working minutes to due_at (negative: overdue by); None without a clock
    is_overdue: bool
    is_near_due: bool
    is_paused: bool


# --- which states belong to a queue -----------------------------------------------------------


@lru_cache(maxsize=64)
def _queue_states(registry_id: int, role: str) -> tuple[tuple[str, int, str], ...]:
    registry = get_registry()
    found = set()
    for procedure in registry.all():
        for transition in procedure.transitions:
            # Side transitions (open in nearly every state: a new appointment, stop, withdrawal,
            # attaching documents) do not make a dossier work to do, or every queue would hold all.
            if role not in transition.roles or transition.effects.queue != WORK:
                continue
            found.update((procedure.code, procedure.version, s) for s in transition.sources)
            # A paused state stays in the queue of the role that paused it (flagged "paused"): the
            # dossier waits for the citizen and comes back to them.
            target = procedure.states.get(transition.target)
            if target is not None and target.is_paused:
                found.add((procedure.code, procedure.version, target.name))
    return tuple(sorted(found))


def queue_states(role: str) -> tuple[tuple[str, int, str], ...]:
    """(procedure code, version, state) triples in which `role` has work to do, from the registry."""
    return _queue_states(id(get_registry()), role)


# --- the statement ----------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VN_TZ)


def _search_clause(q: str, unit_id: int):  # noqa: ANN202 (a SQL boolean expression)
    """What the search box asks (app.search.terms): a code and a citizen ID through the dossiers' own
    unique indexes, the end of a code and a phone number through the unit's DossierHolder rows,
    name words through the trigram index of the folded name."""
    term = read_term(q)
    if term is None:
        return true()
    if term.kind == CODE:
        return Dossier.code == term.value
    if term.kind == CITIZEN_ID:
        return Dossier.applicant_citizen_id == term.value
    if term.kind in (CODE_END, PHONE):
        return Dossier.id.in_(held_dossier_ids(unit_id, term))
    if not term.words:
        return false()
    return and_(*(Dossier.applicant_name_search.like(f"%{w}%") for w in term.words))


def _state_clause(kind: str, filters: QueueFilters):  # noqa: ANN202 (a SQL boolean expression)
    """The queue's (procedure, version, state) triples, narrowed in Python by the procedure and state
    filters, as one `code = .. AND version = .. AND state IN (..)` term per procedure version. Built
    once per registry, queue and filter pair (clauses are immutable and reusable)."""
    return _cached_state_clause(id(get_registry()), kind, filters.procedure, filters.state)


@lru_cache(maxsize=256)
def _cached_state_clause(registry_id: int, kind: str, procedure: str | None, state: str | None):  # noqa: ANN202
    grouped: dict[tuple[str, int], list[str]] = {}
    for code, version, name in _queue_states(registry_id, kind):
        if procedure in (None, code) and state in (None, name):
            grouped.setdefault((code, version), []).append(name)
    if not grouped:
        return false()
    return or_(
        *(
            and_(
                Dossier.procedure_code == code,
                Dossier.procedure_version == version,
                Dossier.state.in_(states),
            )
            for (code, version), states in grouped.items()
        )
    )


def queue_statement(
    unit_id: int, kind: str, filters: QueueFilters, cursor: Cursor | None, limit: int
) -> Select:
    """One page of a queue, in (queue_due_at, id) order; fetches `limit` rows (ask limit+1 to know
    whether a next page exists). `now` for the overdue filter is read here."""
    stmt = select(*COLUMNS).where(
        Dossier.current_unit_id == unit_id,
        Dossier.queue_due_at.is_not(None),
        _state_clause(kind, filters),
    )
    if filters.channel:
        stmt = stmt.where(Dossier.channel == filters.channel)
    if filters.overdue:
        # For a running dossier queue_due_at is its due_at: bounding the sort key by "now" lets the
        # scan of ix_dossiers_queue_running(_procedure) stop there.
        now = utcnow()
        stmt = stmt.where(
            Dossier.paused_at.is_(None),
            Dossier.due_at.is_not(None),
            Dossier.due_at < now,
            Dossier.queue_due_at < now,
        )
    if filters.date_from:
        stmt = stmt.where(Dossier.submitted_at >= _local_midnight(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(Dossier.submitted_at < _local_midnight(filters.date_to + timedelta(days=1)))
    if filters.q:
        stmt = stmt.where(_search_clause(filters.q, unit_id))
    if filters.assignee_id is not None:
        stmt = stmt.where(Dossier.assignee_id == filters.assignee_id)
    if cursor is not None:
        stmt = stmt.where(tuple_(Dossier.queue_due_at, Dossier.id) > (cursor.sort_key, cursor.id))
    return stmt.order_by(Dossier.queue_due_at, Dossier.id).limit(limit)


# --- the page ---------------------------------------------------------------------------------


class _Rows:
    """Turns a page's records into QueueRows: the registry and the display calendar are read once
    per page, and each (procedure, version, state) is named once."""

    def __init__(self, now: datetime, lang: str) -> None:
        self.now, self.lang = now, lang
        self.registry, self.calendar = get_registry(), get_display_calendar()
        self.names: dict[tuple[str, int, str], tuple[str, str]] = {}

    def _names(self, code: str, version: int, state_name: str) -> tuple[str, str]:
        key = (code, version, state_name)
        if key not in self.names:
            procedure = self.registry.get(code, version)
            state = procedure.states.get(state_name)
            label = state.label.get(self.lang) if state else state_name
            self.names[key] = (procedure.name.get(self.lang), label)
        return self.names[key]

    def row(self, record: Any) -> QueueRow:
        now, calendar = self.now, self.calendar
        step_due = record.step_due_at
        due = step_due if step_due is not None else record.due_at
        is_paused = record.paused_at is not None
        minutes_left = None
        is_overdue = is_near = False
        if due is not None:
            reference = record.paused_at if is_paused else now
            if reference > due:
                minutes_left = -calendar.working_minutes_between(due, reference)
                is_overdue = not is_paused
            else:
                minutes_left = calendar.working_minutes_between(reference, due)
            if step_due is not None and not is_paused and not is_overdue:
                is_near = calendar.near_due(record.step_started_at, step_due, now)
        names = self._names(record.procedure_code, record.procedure_version, record.state)
        procedure_name, state_label = names
        return QueueRow(
            code=record.code,
            procedure_code=record.procedure_code,
            procedure_name=procedure_name,
            state_label=state_label,
            channel=record.channel,
            applicant_name=record.applicant_name,
            applicant_citizen_id=record.applicant_citizen_id,
            submitted_at=record.submitted_at,
            received_at=record.received_at,
            due_at=due,
            minutes_left=minutes_left,
            is_overdue=is_overdue,
            is_near_due=is_near,
            is_paused=is_paused,
        )


def list_queue(
    user: User,
    kind: str,
    filters: QueueFilters,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
    lang: str = "vi",
) -> tuple[list[QueueRow], Cursor | None]:
    """One page of the `kind` queue of the user's unit and the cursor of the next page (None at the
    end). One query whatever the page size (the open step's times come with each row)."""
    if kind not in KINDS:
        raise ValidationError(
            f"Không có hàng việc '{kind}'", {"kind": [f"Chọn một trong: {', '.join(KINDS)}"]}
        )
    if user.unit_id is None:
        return [], None
    # Plain rows, no ORM entities: run on the session's connection, past the ORM's statement handling
    # (so flush first, as the ORM would: the page must see this unit's own writes).
    statement = queue_statement(user.unit_id, kind, filters, cursor, limit + 1)
    db.session.flush()
    records = db.session.connection().execute(statement).all()
    page = records[:limit]
    next_cursor = Cursor(page[-1].queue_due_at, page[-1].id) if len(records) > limit else None
    rows = _Rows(utcnow(), lang)
    return [rows.row(r) for r in page], next_cursor
