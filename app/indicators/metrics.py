"""Indicator engine (docs/domain.md, Indicators): every figure is a numerator/denominator pair
computed from the processing records (dossiers, steps, documents, ratings, petitions), never from
hand-entered numbers.

What is counted (app.indicators.facts has the SQL):
- *Reception* metrics (received, channels, online share, fully online, digitisation, reuse, payment,
  national sync) count dossiers accepted (clock started) on a local date of the period;
- *Completion* metrics (early / on time / late, processing time, electronic results,
  satisfaction) count dossiers whose result became ready in the period; under the "leg" basis the
  progress figures count legs finished in the period, each against its own unit;
- *In progress* metrics (overdue, near due) are a snapshot at "now" of open dossiers (legs under
  the "leg" basis); the period does not apply;
- feedback and petitions (Decision 766 group 5) come from app.petitions, by the unit answering.

Who a figure belongs to (`basis`, app.indicators.facts): the competent unit (default), the
receiving unit, or every unit that had a leg. Old units as they were or restated under the units
that took their work (`structure`, app.indicators.attribution); totals are the same either way.
Targets are data with their own periods (app.indicators.targets); the Decision 766 score is out of
100, component by component (app.indicators.decision766).

How it stays fast at a million dossiers and live at the next request: the facts counted are columns
written in the same transaction as the change they record (document flags, the rating's answers,
`processing_minutes` at completion, `DossierStep.near_due_at`); past days are read from a daily
rollup, corrected at each request for the dossiers changed since it was made (each as it is now
minus as it was counted), and today is counted from the records (app.indicators.rollups).
Breakdowns (per ranking row, per procedure, per month) reuse the same grouped rows and add them up
in Python; only the 90th percentile of processing time, which does not add up, is asked of the
database per output group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select

from app.core.db import utcnow
from app.core.errors import ValidationError
from app.dossiers.models import Dossier, DossierStep
from app.indicators import facts
from app.indicators.attribution import DEFAULT_STRUCTURE, _overlaps
from app.indicators.engine import (
    FULLY_ONLINE_LEVEL,
    NO_PAYMENT_DATA,
    NO_TRANSPARENCY,
    SKIP,
    TOTAL,
    Context,
    Key,
    Period,
    _data_store_enabled,
    _national_sync_enabled,
    metrics_of,
    near_due_step,
    p90_minutes,
    pair,
    period_bounds,
)
from app.indicators.facts import CHANNELS, DEFAULT_BASIS, competent_unit, dossier_unit, electronic_result
from app.indicators.rollups import Bucket, spans_of
from app.org.models import Unit
from app.petitions.queries import Group5Facts, group5_facts_by_unit
from app.procedures import get_registry
from app.procedures.definitions import dossier_channels

__all__ = [
    "CHANNELS",
    "DRILLABLE_METRICS",
    "NO_PAYMENT_DATA",
    "NO_TRANSPARENCY",
    "compute_indicators",
    "dossiers_behind",
    "indicators_by_procedure",
    "indicators_by_unit",
    "months_of",
    "monthly_trend",
    "pair",
    "period_bounds",
    "unit_overview",
]


def context(
    basis: str = DEFAULT_BASIS, structure: str = DEFAULT_STRUCTURE, now: datetime | None = None
) -> Context:
    return Context(basis, structure, now or utcnow())


def _ctx(ctx: Context | None, basis: str, structure: str, now: datetime | None) -> Context:
    return ctx if ctx is not None else context(basis, structure, now)


def scope_units(ctx: Context, unit_id: int | None, level: str | None) -> set[int] | None:
    """Unit ids whose figures count (None: every unit, no filter)."""
    if unit_id is None and not level:
        return None
    units = ctx.tree.scope(unit_id)
    if level:
        units = {u for u in units if ctx.tree.level_of(u, ctx.structure) == level}
    return units


def _families(ctx: Context) -> tuple[str, ...]:
    return ("intake", "completion", "legs") if ctx.basis == "leg" else ("intake", "completion")


class Groups:
    """How rows add up: each unit of the scope -> its output group (`of`; None: every unit into
    the group None), then `key_of(group, procedure_code, bucket)` -> the output key (SKIP: left out)."""

    def __init__(self, of: dict[int, Key] | None, key_of: Callable[[Key, str, Any], Key]) -> None:
        self.of = of
        self.key_of = key_of
        self.keys = [None] if of is None else list(dict.fromkeys(of.values()))
        self.index = {key: n for n, key in enumerate(self.keys)}

    def by_index(self) -> dict[int, int] | None:
        """unit id -> group index, for the leg reading's SQL (None: every unit, one group)."""
        return None if self.of is None else {u: self.index[k] for u, k in self.of.items()}

    def row_key(self, row: facts.FactRow) -> Key:
        if row.group is not None:  # counted per group in SQL (dossiers under the leg reading)
            group = self.keys[row.group]
        elif self.of is None:
            group = None
        else:
            group = self.of.get(row.unit_id, SKIP)
        return SKIP if group is SKIP else self.key_of(group, row.procedure_code, row.bucket)

    def unit_key(self, unit_id: int, code: str) -> Key:
        group = None if self.of is None else self.of.get(unit_id, SKIP)
        return SKIP if group is SKIP else self.key_of(group, code, None)


def _totals(
    ctx: Context,
    units: set[int] | None,
    procedure: str | None,
    buckets: list[Bucket],
    groups: Groups,
    with_in_progress: bool,
) -> dict[Key, dict[str, float]]:
    totals: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(int))
    index = groups.by_index()
    for family in _families(ctx):
        rows = ctx.read(family, buckets, units, procedure, index)
        ctx.add_rows(totals, rows, groups.row_key)
    if _national_sync_enabled():
        spans = [s for b in buckets for s in spans_of(b.key, b.days())]
        synced = facts.read_synced(ctx.basis, spans, units, procedure, ctx.all_units, index)
        ctx.add_rows(totals, synced, groups.row_key)
    if _data_store_enabled():  # signed results pushed to the citizens' data stores (app.results)
        spans = [s for b in buckets for s in spans_of(b.key, b.days())]
        pushed = facts.read_pushed(ctx.basis, spans, units, procedure, ctx.all_units, index)
        ctx.add_rows(totals, pushed, groups.row_key)
    if with_in_progress:
        ctx.in_progress(totals, units, procedure, groups.unit_key)
    return totals


def _petitions(
    ctx: Context,
    units: Iterable[int] | None,
    period: Period,
    procedure: str | None,
    key_of: Callable[[int], Key],
) -> dict[Key, Group5Facts]:
    start, end = period_bounds(period.date_from, period.date_to)
    found: dict[Key, Group5Facts] = defaultdict(Group5Facts)
    for unit_id, counted in group5_facts_by_unit(
        units, start, end, procedure_code=procedure, now=ctx.now
    ).items():
        key = key_of(unit_id)
        if key is not SKIP:
            found[key] = found[key] + counted
    return found


def _procedures_online(
    ctx: Context, units: Iterable[int] | None, procedure: str | None, period: Period
) -> tuple[int, int]:
    """(procedures offered fully online, procedures) among those in force at the period's end that
    the units (existing in the period) receive."""
    chosen = ctx.tree.units.values() if units is None else [ctx.tree.units[u] for u in units]
    points = {(u.level, u.kind) for u in chosen if _overlaps(u, period.date_from, period.date_to)}
    offered = [
        p
        for p in get_registry().list_current(period.date_to)
        if (procedure is None or p.code == procedure) and any(p.receives_at(lv, kind) for lv, kind in points)
    ]
    return sum(p.online_level == FULLY_ONLINE_LEVEL for p in offered), len(offered)


def compute_indicators(
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    *,
    basis: str = DEFAULT_BASIS,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> dict:
    """Every indicator of the scope as {numerator, denominator, rate, target} (see module docstring).

    "in_progress_near_due" counts open dossiers whose running step has less than 40% of its working
    time left (WorkingCalendar.near_due, stored as DossierStep.near_due_at) and is not yet overdue.
    "fully_online": processed in the electronic environment (filed online, or every input digitised
    at reception); also per level of the unit it is attributed to, only the levels with dossiers.
    """
    ctx = _ctx(ctx, basis, structure, now)
    units = scope_units(ctx, unit_id, level)
    period = Period(date_from, date_to)
    groups = Groups(None if units is None else dict.fromkeys(units), lambda *_: None)
    totals = _totals(ctx, units, procedure, [Bucket(None, date_from, date_to)], groups, True)
    start, end = period_bounds(date_from, date_to)
    keys = dict.fromkeys(units if units is not None else ctx.all_units)
    p90 = p90_minutes(ctx.basis, start, end, procedure, keys).get(None)
    petitions = _petitions(ctx, units, period, procedure, lambda _u: None).get(None, Group5Facts())
    return metrics_of(
        totals[None],
        p90,
        period,
        ctx.basis,
        procedures_online=_procedures_online(ctx, units, procedure, period),
        petitions=petitions,
    )


def _unit_summary(unit: Unit) -> dict:
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "level": unit.level,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }


def list_child_units(parent_id: int | None) -> list[Unit]:
    """Active direct children (the tree's roots for None)."""
    from app.extensions import db

    parent = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
    return list(db.session.scalars(select(Unit).where(parent, Unit.is_active.is_(True)).order_by(Unit.code)))


def ranking_units(
    unit_id: int | None,
    date_from: date,
    date_to: date,
    *,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> list[Unit]:
    ctx = _ctx(ctx, DEFAULT_BASIS, structure, None)
    return ctx.tree.rows(unit_id, ctx.structure, date_from, date_to)


def unit_overview(
    unit_id: int | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    *,
    basis: str = DEFAULT_BASIS,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> tuple[dict, list[dict]]:
    """A unit's indicators and one row per unit of its ranking (its sub-units of the period, or as
    restated today: app.indicators.attribution), from one set of grouped queries: the same numbers
    as compute_indicators for the unit and for each row. `unit_id` None: the whole structure, its
    rows the top-level units."""
    ctx = _ctx(ctx, basis, structure, now)
    rows_units = ctx.tree.rows(unit_id, ctx.structure, date_from, date_to)
    scope = ctx.tree.scope(unit_id)
    keys = ctx.tree.keys(unit_id, rows_units, ctx.structure, scope)
    period = Period(date_from, date_to)
    units = None if unit_id is None else scope
    groups = Groups(keys, lambda group, _code, _bucket: group)
    totals = _totals(ctx, units, procedure, [Bucket(None, date_from, date_to)], groups, True)
    whole: dict[str, float] = defaultdict(int)
    for bucket in totals.values():
        for name, value in bucket.items():
            whole[name] += value
    start, end = period_bounds(date_from, date_to)
    p90 = p90_minutes(ctx.basis, start, end, procedure, keys, with_total=True)
    p90_whole = p90.pop(TOTAL)
    petitions = _petitions(ctx, units, period, procedure, lambda u: keys.get(u, SKIP))
    everyone = Group5Facts()
    for counted in petitions.values():
        everyone = everyone + counted
    members: dict[Key, list[int]] = defaultdict(list)
    for unit, key in keys.items():
        members[key].append(unit)
    overview = metrics_of(
        whole, p90_whole, period, ctx.basis,
        procedures_online=_procedures_online(ctx, units, procedure, period), petitions=everyone,
    )  # fmt: skip
    rows = [
        {
            "unit": _unit_summary(row),
            "metrics": metrics_of(
                totals[row.id],
                p90.get(row.id),
                period,
                ctx.basis,
                procedures_online=_procedures_online(ctx, members[row.id], procedure, period),
                petitions=petitions.get(row.id, Group5Facts()),
            ),  # fmt: skip
        }
        for row in rows_units
    ]
    return overview, rows


def indicators_by_unit(
    parent_id: int | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    **reading: Any,
) -> list[dict]:
    """One row per unit of `parent_id`'s ranking, each with the metrics of that unit's share of the
    scope (the same numbers compute_indicators gives for that unit when nothing is restated)."""
    return unit_overview(parent_id, procedure, date_from, date_to, now, **reading)[1]


def indicators_by_procedure(
    unit_id: int | None,
    level: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    *,
    basis: str = DEFAULT_BASIS,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> list[dict]:
    """One row per procedure of the registry (latest version's name), metrics of the scope for it.
    Petitions are not split by procedure: their components show no data in these rows."""
    ctx = _ctx(ctx, basis, structure, now)
    procedures = sorted(get_registry().all(), key=lambda p: p.code)
    latest = {p.code: p for p in procedures}  # all() lists versions in order: the last one wins
    units = scope_units(ctx, unit_id, level)
    period = Period(date_from, date_to)
    groups = Groups(None if units is None else dict.fromkeys(units), lambda _group, code, _bucket: code)
    totals = _totals(ctx, units, None, [Bucket(None, date_from, date_to)], groups, True)
    start, end = period_bounds(date_from, date_to)
    p90 = p90_minutes(ctx.basis, start, end, None, None, units)
    return [
        {
            "procedure": {"code": code, "name": p.name},
            "metrics": metrics_of(
                totals[code],
                p90.get(code),
                period,
                ctx.basis,
                procedures_online=_procedures_online(ctx, units, code, period),
            ),  # fmt: skip
        }
        for code, p in latest.items()
    ]


def months_of(date_from: date, date_to: date) -> list[tuple[str, date, date]]:
    """('YYYY-MM', first day, last day) of each calendar month overlapping the period, clipped to it."""
    months, cursor = [], date_from.replace(day=1)
    while cursor <= date_to:
        following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        months.append(
            (cursor.strftime("%Y-%m"), max(cursor, date_from), min(following - timedelta(days=1), date_to))
        )
        cursor = following
    return months


def monthly_trend(
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    *,
    basis: str = DEFAULT_BASIS,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> list[dict]:
    """One row per month overlapping the period: the period metrics of that month, from one read
    per family for the whole span. In-progress figures are a snapshot of now, so they are left out
    of the trend, and so is the 90th percentile of processing time (the average is there)."""
    ctx = _ctx(ctx, basis, structure, now)
    units = scope_units(ctx, unit_id, level)
    months = months_of(date_from, date_to)
    buckets = [Bucket(month, first, last) for month, first, last in months]
    groups = Groups(None if units is None else dict.fromkeys(units), lambda _group, _code, bucket: bucket)
    totals = _totals(ctx, units, procedure, buckets, groups, False)
    # petitions month by month only if the whole span has any (no fact in the span: none in a month)
    span = _petitions(ctx, units, Period(date_from, date_to), procedure, lambda _u: None).get(
        None, Group5Facts()
    )
    rows = []
    for month, first, last in months:
        period = Period(first, last)
        petitions = (
            _petitions(ctx, units, period, procedure, lambda _u: None).get(None, Group5Facts())
            if span != Group5Facts()
            else Group5Facts()
        )
        metrics = metrics_of(
            totals[month], None, period, ctx.basis, with_in_progress=False,
            procedures_online=_procedures_online(ctx, units, procedure, period), petitions=petitions,
        )  # fmt: skip
        rows.append({"month": month, "date_from": first, "date_to": last, "metrics": metrics})
    return rows


# The dossiers behind a numerator ------------------------------------------------------------------

_RECEPTION: dict[str, Callable[[], list[Any]]] = {
    "received": lambda: [],
    **{f"received_{ch}": (lambda ch=ch: [Dossier.channel.in_(dossier_channels(ch))]) for ch in CHANNELS},
    "fully_online": lambda: [
        Dossier.channel.in_(dossier_channels("online")) | Dossier.has_digitised_inputs.is_(True)
    ],
    "digitised_inputs": lambda: [Dossier.has_digitised_inputs.is_(True)],
    "reused_documents": lambda: [Dossier.has_reused_document.is_(True)],
}
_OUTCOMES = {"completed_early": "early", "completed_on_time": "on_time", "completed_late": "late"}
_COMPLETION: dict[str, Callable[[], list[Any]]] = {
    **{metric: (lambda o=o: [Dossier.outcome == o]) for metric, o in _OUTCOMES.items()},
    "electronic_results": lambda: [electronic_result()],
}
_IN_PROGRESS = ("in_progress_overdue", "in_progress_near_due")
DRILLABLE_METRICS = (*_RECEPTION, *_COMPLETION, *_IN_PROGRESS)


def _open() -> list[Any]:
    return [
        Dossier.received_at.is_not(None),
        Dossier.completed_at.is_(None),
        Dossier.queue_due_at.is_not(None),
    ]


def _had_leg(units: set[int] | None, *conditions: Any) -> Any:
    where = [DossierStep.dossier_id == Dossier.id, *conditions]
    if units is not None:
        where.append(DossierStep.unit_id.in_(sorted(units)))
    return exists().where(*where)


def _in(column: Any, units: set[int] | None) -> list[Any]:
    return [] if units is None else [column.in_(sorted(units))]


def dossiers_behind(
    metric: str,
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    *,
    basis: str = DEFAULT_BASIS,
    structure: str = DEFAULT_STRUCTURE,
    ctx: Context | None = None,
) -> Any:
    """`select(Dossier)` of exactly the dossiers counted in `metric`'s numerator for this scope
    (unordered; the caller pages it); under the "leg" basis, the dossiers with such a leg in the
    scope. ValidationError for a metric that has no dossier list."""
    ctx = _ctx(ctx, basis, structure, now)
    units = scope_units(ctx, unit_id, level)
    start, end = period_bounds(date_from, date_to)
    by_leg = ctx.basis == "leg"
    unit = None if by_leg else dossier_unit(ctx.basis)
    where: list[Any] = [Dossier.procedure_code == procedure] if procedure else []
    if metric in _RECEPTION:
        where += [Dossier.received_at >= start, Dossier.received_at < end, *_RECEPTION[metric]()]
        where += (
            [_had_leg(units)]
            if by_leg and units is not None
            else _in(unit, units)
            if unit is not None
            else []
        )
    elif metric in _OUTCOMES and by_leg:
        finished = [DossierStep.finished_at >= start, DossierStep.finished_at < end]
        where.append(_had_leg(units, *finished, DossierStep.outcome == _OUTCOMES[metric]))
    elif metric in _COMPLETION:
        where += [Dossier.completed_at >= start, Dossier.completed_at < end, *_COMPLETION[metric]()]
        where += (
            [_had_leg(units)]
            if by_leg and units is not None
            else _in(unit, units)
            if unit is not None
            else []
        )
    elif metric in _IN_PROGRESS:
        moment = ctx.now
        where += _open()
        if metric == "in_progress_overdue" and by_leg:
            running = and_(DossierStep.finished_at.is_(None), DossierStep.paused_at.is_(None))
            where.append(_had_leg(units, running, DossierStep.due_at < moment))
        elif metric == "in_progress_overdue":
            where += [Dossier.due_at < moment, Dossier.paused_at.is_(None), *_in(unit, units)]
        elif by_leg:
            where.append(_had_leg(units, *near_due_step(moment)))
        else:
            where += [Dossier.paused_at.is_(None), _had_leg(None, *near_due_step(moment)), *_in(unit, units)]
    else:
        raise ValidationError(
            "Chỉ số không có danh sách hồ sơ",
            {"metric": f"'{metric}' không hợp lệ; chọn một trong: {', '.join(DRILLABLE_METRICS)}"},
        )
    return select(Dossier).where(*where)


__all__ += ["competent_unit", "context", "list_child_units", "ranking_units", "scope_units"]
