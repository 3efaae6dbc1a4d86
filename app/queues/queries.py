"""Officer queues: the open dossiers a unit's reception officers, specialists or leaders act on now.

Which dossiers belong to a queue comes from the procedure registry, never from state names written
here: a queue of role R holds the dossiers whose (procedure, version, state) offers R a transition.
Every page is one range scan of the partial index ix_dossiers_queue (current_unit_id, queue_due_at, id),
keyset-paginated on (queue_due_at, id), so the first page and a deep page cost the same.

`queue_statement` is the exact SQL of a page; `benchmarks/queue.py` runs it bare to measure our overhead.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, false, or_, select, tuple_

from app.auth.models import User
from app.auth.roles import Role
from app.calendar.services import get_display_calendar
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.time import VN_TZ
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.procedures import get_registry
from app.procedures.queries import search_words
from app.procedures.vocabulary import WORK

KINDS = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER)  # one queue per officer role
PAGE_SIZE = 50
MAX_LIMIT = 200
CITIZEN_ID = re.compile(r"^\d{12}$")
DOSSIER_CODE = re.compile(r"^\S+-\d{6}-\d{4,}$")  # <agency code>-YYMMDD-XXXX (docs/domain.md, Dossier codes)

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
    q: str | None = None  # exact code, 12-digit citizen ID, or applicant name words
    assignee_id: int | None = None  # "mine": dossiers assigned to this officer


@dataclass(frozen=True)
class Cursor:
    sort_key: datetime
    id: int


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


# --- cursor -----------------------------------------------------------------------------------


def encode_cursor(cursor: Cursor) -> str:
    raw = f"{cursor.sort_key.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The opaque `after` string back to (sort key, id); ValidationError naming `after` if malformed."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return Cursor(moment, int(ident))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValidationError(
            "Con trỏ trang không hợp lệ", {"after": ["Con trỏ trang không hợp lệ"]}
        ) from exc


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


def _search_clause(q: str):  # noqa: ANN202 (a SQL boolean expression)
    q = q.strip()
    if CITIZEN_ID.match(q):
        return Dossier.applicant_citizen_id == q
    words = search_words(q)
    if DOSSIER_CODE.match(q) or not words:
        return Dossier.code == q
    return and_(*(Dossier.applicant_name_search.like(f"%{w}%") for w in words))


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
        stmt = stmt.where(_search_clause(filters.q))
    if filters.assignee_id is not None:
        stmt = stmt.where(Dossier.assignee_id == filters.assignee_id)
    if cursor is not None:
        stmt = stmt.where(tuple_(Dossier.queue_due_at, Dossier.id) > (cursor.sort_key, cursor.id))
    return stmt.order_by(Dossier.queue_due_at, Dossier.id).limit(limit)


# --- the page ---------------------------------------------------------------------------------


def _row(record: Any, now: datetime, lang: str) -> QueueRow:
    procedure = get_registry().get(record.procedure_code, record.procedure_version)
    state = procedure.states.get(record.state)
    calendar = get_display_calendar()
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
    return QueueRow(
        code=record.code,
        procedure_code=record.procedure_code,
        procedure_name=procedure.name.get(lang),
        state_label=state.label.get(lang) if state else record.state,
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
    records = db.session.execute(queue_statement(user.unit_id, kind, filters, cursor, limit + 1)).all()
    page = records[:limit]
    next_cursor = Cursor(page[-1].queue_due_at, page[-1].id) if len(records) > limit else None
    now = utcnow()
    return [_row(r, now, lang) for r in page], next_cursor
