"""Daily rollups of the counted facts (PostgreSQL), and the read that keeps them exact.

What is kept (app.indicators.models): per local day, family, reading, unit and procedure version,
the counters (`IndicatorDailyFact`); per dossier, exactly what was counted of it (`RecordedFacts`:
its days, its unit under each reading, its facts). Legs are immutable once finished, so legs keep
no copy: the rollup holds those finished before `legs_from`.

Refresh (`refresh_rollups`, periodic, and `flask indicators refresh`): in one REPEATABLE READ
transaction, the dossiers changed since the last refresh get their recorded facts again from the
records, and the days they were or are now counted on are added up again from the recorded facts;
the legs of the days with legs finished since are counted again; yesterday joins once it has ended.
The first run, or `--rebuild`, records and counts everything. Its cost follows the dossiers changed,
not the days they touch.

Read (`read`): the rollup rows of the period's days up to `through_day`; plus, for every dossier
changed from `changed_from` on (`Dossier.updated_at`, which every change of its row sets: documents
and ratings copy their facts onto it, a leg starts and ends in a transition of its dossier), its
counters as it is now minus those recorded of it; plus legs finished from `legs_from`; plus every
day after `through_day` (today) counted from the records. `changed_from` is the refresh's instant
less a margin (INDICATOR_DIRTY_MARGIN_SECONDS, 15 minutes), so a transaction still open when the
refresh read the records (a flush's `updated_at` precedes its commit) is corrected too unless it
stayed open longer than that. The figures are therefore those of the records at the request.

Elsewhere (SQLite, the embedded default) there is no rollup: every day is counted from the records.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ARRAY,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
)

from app.core.db import utcnow
from app.core.time import VN_TZ, to_local
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.indicators import facts
from app.indicators.facts import FAMILIES, FAMILY_BASES, FactRow, Span
from app.indicators.models import IndicatorDailyFact, IndicatorRollupState, RecordedFacts

log = logging.getLogger(__name__)

DIRTY_MARGIN_SECONDS = 900  # INDICATOR_DIRTY_MARGIN_SECONDS: the longest transaction a refresh allows for
STATE_ID = 1
LOCK_KEY = 766_2022  # pg_try_advisory_xact_lock: one refresh at a time
DOSSIER_FAMILIES = ("intake", "completion")
DAY_COLUMN = {"intake": RecordedFacts.received_day, "completion": RecordedFacts.completed_day}


def enabled() -> bool:
    return db.session.get_bind().dialect.name == "postgresql" and bool(
        current_app.config.get("INDICATOR_ROLLUPS", True)
    )


def dirty_margin() -> timedelta:
    return timedelta(
        seconds=int(current_app.config.get("INDICATOR_DIRTY_MARGIN_SECONDS", DIRTY_MARGIN_SECONDS))
    )


def local_day(column: Any) -> Any:
    return func.date(func.timezone("Asia/Ho_Chi_Minh", column))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VN_TZ)


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def spans_of(key: Any, days: Iterable[date]) -> list[Span]:
    return [Span(key, day_start(a), day_start(b + timedelta(days=1))) for a, b in day_ranges(days)]


def _days_in(column: Any, runs: Sequence[tuple[date, date]]) -> Any:
    return or_(*[column.between(a, b) for a, b in runs]) if runs else literal(False)


# --- recorded facts ----------------------------------------------------------------------------------


def _recorded_select(where: Sequence[Any]) -> Any:
    """The recorded facts of the dossiers meeting `where`, as the records have them now."""
    return select(
        Dossier.id,
        local_day(Dossier.received_at),
        local_day(Dossier.completed_at),
        Dossier.receiving_unit_id,
        facts.competent_unit(),
        Dossier.procedure_code,
        Dossier.procedure_version,
        Dossier.channel,
        Dossier.has_digitised_inputs,
        Dossier.has_reused_document,
        Dossier.outcome,
        facts.electronic_result(),
        Dossier.processing_minutes,
        Dossier.rating_overall,
        Dossier.rating_time,
        Dossier.rating_contacts,
        Dossier.rating_conduct,
    ).where(Dossier.received_at.is_not(None), *where)


RECORDED_COLUMNS = [
    "dossier_id", "received_day", "completed_day", "receiving_unit_id", "competent_unit_id",
    "procedure_code", "procedure_version", "channel", "digitised", "reused", "outcome",
    "is_electronic", "minutes", "rating_overall", "rating_time", "rating_contacts", "rating_conduct",
]  # fmt: skip


def _record(where: Sequence[Any]) -> None:
    db.session.execute(insert(RecordedFacts).from_select(RECORDED_COLUMNS, _recorded_select(where)))


def _recorded_unit(basis: str) -> Any:
    return RecordedFacts.receiving_unit_id if basis == "received" else RecordedFacts.competent_unit_id


def recorded_statement(
    family: str,
    basis: str,
    runs: Sequence[tuple[date, date]],
    buckets: Sequence[Bucket],
    dossier_ids: Iterable[int] | None = None,
    units: Iterable[int] | None = None,
    procedure: str | None = None,
) -> Any:
    """The family's counters over recorded facts: per (unit, procedure version, bucket); the
    bucket is the day itself when `buckets` is empty (for the rollup)."""
    r = RecordedFacts
    day = DAY_COLUMN[family]
    unit = _recorded_unit(basis)
    if not buckets:
        bucket, varies = day, True
    elif len({b.key for b in buckets}) == 1:
        bucket, varies = (null() if buckets[0].key is None else literal(buckets[0].key)), False
    else:
        bucket = case(*[(day.between(b.first, b.last), literal(b.key)) for b in buckets], else_=null())
        varies = True
    where = [_days_in(day, runs)]
    if dossier_ids is not None:
        where.append(r.dossier_id.in_(sorted(set(dossier_ids))))
    if units is not None:
        where.append(unit.in_(sorted(set(units))))
    if procedure:
        where.append(r.procedure_code == procedure)
    counters = facts._counters(family, RecordedFacts)
    keys = [unit, r.procedure_code, r.procedure_version]
    return (
        select(
            unit.label("unit_id"),
            r.procedure_code,
            r.procedure_version,
            bucket.label("bucket"),
            *[c.label(n) for n, c in counters.items()],
        )
        .where(*where)
        .group_by(*keys, *([bucket] if varies else []))
    )


# --- refresh ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    through_day: date
    days: int
    rows: int
    rebuilt: bool
    dossiers: int = 0


def _all_unit_ids() -> list[int]:
    from app.org.models import Unit

    return list(db.session.scalars(select(Unit.id)))


def _recount_dossier_days(family: str, days: set[date] | None, through: date) -> None:
    """The rollup rows of `days` (None: every day up to `through`) added up again from the
    recorded facts."""
    t = IndicatorDailyFact
    if days is not None and not days:
        return
    runs = day_ranges(days) if days is not None else [(date.min, through)]
    gone = delete(t).where(t.family == family)
    db.session.execute(gone if days is None else gone.where(_days_in(t.day, runs)))
    names = FAMILIES[family]
    for basis in FAMILY_BASES[family]:
        grouped = recorded_statement(family, basis, runs, []).subquery()
        source = select(
            literal(family), literal(basis), grouped.c.bucket, grouped.c.unit_id,
            grouped.c.procedure_code, grouped.c.procedure_version, *[grouped.c[n] for n in names],
        )  # fmt: skip
        target = ["family", "basis", "day", "unit_id", "procedure_code", "procedure_version", *names]
        db.session.execute(insert(t).from_select(target, source))


def _recount_leg_days(days: set[date] | None, before: datetime, through: date) -> None:
    """Legs rows of `days` (None: every day up to `through`), legs finished before `before`."""
    t = IndicatorDailyFact
    if days is not None and not days:
        return
    column = DossierStep.finished_at
    if days is None:
        window = [column < min(before, day_start(through + timedelta(days=1)))]
        db.session.execute(delete(t).where(t.family == "legs"))
    else:
        window = [facts.spans_condition(column, spans_of(None, days)), column < before]
        db.session.execute(delete(t).where(t.family == "legs", t.day.in_(sorted(days))))
    names = FAMILIES["legs"]
    grouped = facts.grouped_statement("legs", "leg", (local_day(column), True), window).subquery()
    source = select(
        literal("legs"), literal("leg"), grouped.c.bucket, grouped.c.unit_id,
        grouped.c.procedure_code, grouped.c.procedure_version, *[grouped.c[n] for n in names],
    )  # fmt: skip
    target = ["family", "basis", "day", "unit_id", "procedure_code", "procedure_version", *names]
    db.session.execute(insert(t).from_select(target, source))


def _recorded_days(ids: Sequence[int]) -> dict[str, set[date]]:
    found: dict[str, set[date]] = {"intake": set(), "completion": set()}
    for chunk in range(0, len(ids), 10_000):
        rows = db.session.execute(
            select(RecordedFacts.received_day, RecordedFacts.completed_day).where(
                RecordedFacts.dossier_id.in_(ids[chunk : chunk + 10_000])
            )
        )
        for received, completed in rows:
            if received:
                found["intake"].add(received)
            if completed:
                found["completion"].add(completed)
    return found


def refresh_rollups(
    rebuild: bool = False, now: datetime | None = None, *, snapshot: bool = True
) -> Refreshed | None:
    """Bring the rollup up to yesterday (see the module docstring); None where there is no rollup
    or another refresh is under way. Runs inside the caller's unit of work, which must not have
    read anything yet when `snapshot` (its statements then all see one snapshot of the records)."""
    if not enabled():
        return None
    if snapshot:
        db.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    # The first statement takes the snapshot: its own time is the instant the records are read at.
    # Another refresh under way: leave it the work (waiting would read an older snapshot).
    locked, taken_at = db.session.execute(
        select(func.pg_try_advisory_xact_lock(LOCK_KEY), func.statement_timestamp())
    ).one()
    if not locked:
        log.info("indicator rollup: another refresh is under way")
        return None
    through = to_local(now or utcnow()).date() - timedelta(days=1)
    changed_from = taken_at - dirty_margin()
    legs_from = min(changed_from, day_start(through + timedelta(days=1)))
    state = db.session.get(IndicatorRollupState, STATE_ID)
    full = rebuild or state is None
    changed: list[int] = []
    if full:
        db.session.execute(delete(RecordedFacts))
        _record([])
        days: dict[str, set[date] | None] = {"intake": None, "completion": None}
        leg_days: set[date] | None = None
    else:
        since = state.changed_from
        changed = list(db.session.scalars(select(Dossier.id).where(Dossier.updated_at >= since)))
        days = {family: set(found) for family, found in _recorded_days(changed).items()}
        for chunk in range(0, len(changed), 10_000):
            part = changed[chunk : chunk + 10_000]
            db.session.execute(delete(RecordedFacts).where(RecordedFacts.dossier_id.in_(part)))
            _record([Dossier.id.in_(part)])
        for family, found in _recorded_days(changed).items():
            days[family] |= found  # type: ignore[operator]
        new_days = {
            state.through_day + timedelta(days=n) for n in range(1, (through - state.through_day).days + 1)
        }
        leg_days = (
            set(
                db.session.scalars(
                    select(local_day(DossierStep.finished_at))
                    .where(DossierStep.finished_at >= state.legs_from)
                    .distinct()
                )
            )
            | new_days
        )
        for family in DOSSIER_FAMILIES:
            days[family] = {d for d in days[family] | new_days if d <= through}  # type: ignore[operator]
        leg_days = {d for d in leg_days if d <= through}
    for family in DOSSIER_FAMILIES:
        _recount_dossier_days(family, days[family], through)
    _recount_leg_days(leg_days, legs_from, through)
    if state is None:
        state = IndicatorRollupState(id=STATE_ID)
        db.session.add(state)
    counted = 0 if full else len(set().union(*[d for d in days.values() if d], leg_days or set()))
    state.refreshed_at, state.changed_from, state.legs_from = taken_at, changed_from, legs_from
    state.through_day, state.days_refreshed = through, counted
    if full:
        state.rebuilt_at = taken_at
    db.session.flush()
    rows = db.session.scalar(select(func.count()).select_from(IndicatorDailyFact)) or 0
    log.info(
        "indicator rollup: %s through %s, %d changed dossiers, %d rows",
        "rebuilt" if full else f"{counted} day(s) counted again", through, len(changed), rows,
    )  # fmt: skip
    return Refreshed(through, counted, rows, full, len(changed))


# --- read ------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """For one request: the rollup covers days up to `through`; dossiers changed from
    `changed_from` are corrected (one pass per family and reading over the request's whole span,
    kept here per day); legs finished from `legs_from` are counted from the records."""

    through: date
    changed_from: datetime
    legs_from: datetime
    first: date
    last: date
    _corrections: dict[tuple, list[FactRow]] = field(default_factory=dict)
    _changed: list[int] | None = None

    @property
    def changed(self) -> list[int]:
        """The dossiers changed from `changed_from` (read once per request)."""
        if self._changed is None:
            query = select(Dossier.id).where(Dossier.updated_at >= self.changed_from)
            self._changed = list(db.session.scalars(query))
        return self._changed

    def corrections(
        self, family: str, basis: str, units: Sequence[int] | None, procedure: str | None
    ) -> list[FactRow]:
        """Per day (the rows' bucket), the changed dossiers' counters now minus as counted."""
        key = (family, basis, None if units is None else tuple(units), procedure)
        if key not in self._corrections:
            last = min(self.last, self.through)
            self._corrections[key] = (
                _corrections_by_day(family, basis, self.first, last, self.changed, units, procedure)
                if self.first <= last
                else []
            )
        return self._corrections[key]


def plan_for(first: date, last: date) -> Plan | None:
    """None when every day must be counted from the records (no rollup here, or none made yet)."""
    if not enabled():
        return None
    state = db.session.get(IndicatorRollupState, STATE_ID)
    if state is None or state.through_day < first:
        return None
    return Plan(state.through_day, state.changed_from, state.legs_from, first, last)


@dataclass(frozen=True)
class Bucket:
    key: Any
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _rollup_rows(
    family: str,
    basis: str,
    parts: list[Bucket],
    units: Iterable[int] | None,
    procedure: str | None,
) -> list[FactRow]:
    t = IndicatorDailyFact
    names = FAMILIES[family]
    if len({b.key for b in parts}) > 1:
        bucket: Any = case(*[(t.day.between(b.first, b.last), literal(b.key)) for b in parts], else_=null())
        grouped = [bucket]
    else:
        key = parts[0].key
        bucket, grouped = (null() if key is None else literal(key)), []
    where = [
        t.family == family,
        t.basis == basis,
        and_(t.day >= min(b.first for b in parts), t.day <= max(b.last for b in parts)),
    ]
    if len(parts) > 1:
        where.append(or_(*[t.day.between(b.first, b.last) for b in parts]))
    if units is not None:
        where.append(t.unit_id.in_(sorted(set(units))))
    if procedure:
        where.append(t.procedure_code == procedure)
    keys = [t.unit_id, t.procedure_code, t.procedure_version]
    statement = (
        select(*keys, bucket.label("bucket"), *[func.sum(t.__table__.c[n]).label(n) for n in names])
        .where(*where)
        .group_by(*keys, *grouped)
    )
    return facts.rows_of(family, db.session.execute(statement))


def _corrections_by_day(
    family: str,
    basis: str,
    first: date,
    last: date,
    changed: list[int],
    units: Sequence[int] | None,
    procedure: str | None,
) -> list[FactRow]:
    """For the `changed` dossiers: their counters now minus those the rollup counted, per day of
    [first, last]."""
    column = facts.time_column(family)
    if not changed:
        return []
    ids = bindparam("changed", changed, type_=ARRAY(Integer))  # one array: looked up by primary key
    window = [column >= day_start(first), column < day_start(last + timedelta(days=1))]
    now_rows = facts.rows_of(
        family,
        db.session.execute(
            facts.grouped_statement(
                family, basis, (local_day(column), True), [*window, Dossier.id == any_(ids)], units, procedure
            )
        ),
    )
    recorded = recorded_statement(family, basis, [(first, last)], [], None, units, procedure)
    then_rows = facts.rows_of(
        family, db.session.execute(recorded.where(RecordedFacts.dossier_id == any_(ids)))
    )
    merged: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, rows in ((1, now_rows), (-1, then_rows)):
        for row in rows:
            counts = merged[(row.unit_id, row.procedure_code, row.procedure_version, row.bucket)]
            for name, value in row.counts.items():
                counts[name] += sign * value
    return [
        FactRow(family, unit, code, version, day, dict(counts))
        for (unit, code, version, day), counts in merged.items()
        if any(counts.values())
    ]


def _bucketed(rows: Iterable[FactRow], parts: Sequence[Bucket]) -> list[FactRow]:
    """Rows per day put into the buckets whose days they fall on."""
    found = []
    for row in rows:
        for part in parts:
            if part.first <= row.bucket <= part.last:
                found.append(FactRow(row.family, row.unit_id, row.procedure_code, row.procedure_version,
                                     part.key, row.counts))  # fmt: skip
                break
    return found


def read(
    family: str,
    basis: str,
    buckets: Sequence[Bucket],
    units: Iterable[int] | None,
    procedure: str | None,
    all_units: Sequence[int] | None,
    plan: Plan | None,
    groups: dict[int, int] | None = None,
) -> list[FactRow]:
    """The family's rows for every bucket: the rollup corrected for changed dossiers where it holds,
    the records elsewhere (always the records for dossiers under the leg reading, whose groups
    depend on the request)."""
    if family == "legs":
        basis = "leg"
    units = None if units is None else sorted(set(units))
    if plan is None or basis not in FAMILY_BASES[family]:
        spans = [Span(b.key, day_start(b.first), day_start(b.last + timedelta(days=1))) for b in buckets]
        return facts.read_live(family, basis, spans, units, procedure, all_units, groups)
    parts = [Bucket(b.key, b.first, min(b.last, plan.through)) for b in buckets if b.first <= plan.through]
    live: list[Span] = []
    for bucket in buckets:
        live += spans_of(bucket.key, [d for d in bucket.days() if d > plan.through])
    rows = _rollup_rows(family, basis, parts, units, procedure) if parts else []
    if family == "legs":  # legs finished since the rollup's bound, whatever their day
        spans = [Span(b.key, day_start(b.first), day_start(b.last + timedelta(days=1))) for b in buckets]
        column = DossierStep.finished_at
        recent = facts.grouped_statement(
            "legs", "leg", facts.bucket_of(column, spans),
            [facts.spans_condition(column, spans), column >= plan.legs_from], units, procedure,
        )  # fmt: skip
        return rows + facts.rows_of("legs", db.session.execute(recent))
    if parts:
        rows += _bucketed(plan.corrections(family, basis, units, procedure), parts)
    return rows + facts.read_live(family, basis, live, units, procedure, all_units, groups)
