"""Indicator engine (docs/domain.md, Indicators): every figure is a numerator/denominator pair
computed from the processing records (dossiers, steps, documents, ratings), never from hand-entered numbers.

Scope and period:
- *Reception* metrics (received, channels, online share, fully online, digitisation, reuse, payment)
  count dossiers whose **receiving unit** is in the unit's subtree (optionally only units of `level`)
  and whose `received_at` (acceptance, when the clock starts) falls on a local date in the period.
- *Completion* metrics (early / on time / late, processing time, electronic results, satisfaction)
  count dossiers whose **current unit when completed** (`current_unit_id`: the unit that finished the
  last step) is in scope and whose `completed_at` falls in the period. Ratings follow their dossier.
- *In progress* metrics (overdue, near due) are a snapshot at "now" of open dossiers (accepted, not
  completed, not in a final state) whose current unit is in scope; the period does not apply.

How it stays fast at a million dossiers and live at the next request: the facts counted are columns
written in the same transaction as the change they record (`Dossier.has_digitised_inputs` and the
other document flags, `processing_minutes` at completion, `DossierStep.near_due_at` whenever a step's
clock is set), and each family is one SQL aggregate grouped by unit (and procedure) over an index
that includes the counted columns. Breakdowns (per child unit, per procedure) reuse the same grouped
rows and add them up in Python; only the 90th percentile of processing time, which does not add up,
is asked of the database per output group. The monthly trend asks for each month as a period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.time import VN_TZ
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.org.models import Unit
from app.org.queries import subtree_ids
from app.procedures import get_registry
from app.ratings.models import SATISFIED_FROM

CHANNELS = ("online", "counter", "postal")
ONLINE_TARGET = 0.5
SATISFACTION_TARGET = 0.9
FULLY_ONLINE_TARGETS = {"province": 0.95, "district": 0.85, "commune": 0.65}
NO_PAYMENT_DATA = "chưa có dữ liệu thanh toán trực tuyến"
NO_TRANSPARENCY = "chưa cấu hình đồng bộ Cổng DVC quốc gia (NATIONAL_PORTAL_URL)"
SCORE_WEIGHTS = {
    "progress": 20,
    "online": 12,
    "payment": 10,
    "satisfaction": 18,
    "digitisation": 22,
    "transparency": 18,
}

Key = Any  # the output group a row adds to: None (whole scope), a unit id or a procedure code


def pair(numerator: int | None, denominator: int, target: float | None = None, **extra: Any) -> dict:
    rate = numerator / denominator if numerator is not None and denominator else None
    return {"numerator": numerator, "denominator": denominator, "rate": rate, "target": target, **extra}


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start, end) instants of local dates date_from..date_to inclusive."""
    start = datetime.combine(date_from, time(0), tzinfo=VN_TZ)
    return start, datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=VN_TZ)


def scope_unit_ids(unit_id: int | None, level: str | None) -> set[int] | None:
    """Unit ids of the scope; None means every unit (no filter)."""
    if unit_id is None and not level:
        return None
    ids = subtree_ids(unit_id) if unit_id else set(db.session.scalars(select(Unit.id)))
    if level:
        ids &= set(db.session.scalars(select(Unit.id).where(Unit.level == level)))
    return ids


def _national_sync_enabled() -> bool:
    from app.sync.national_client import is_enabled

    return is_enabled()


def _fee_codes() -> list[str]:
    return sorted({p.code for p in get_registry().all() if p.fee > 0})


def electronic_result() -> ColumnElement[bool]:
    return (Dossier.return_method == "electronic") | Dossier.has_result_document.is_(True)


@dataclass(frozen=True)
class _Scope:
    units: set[int] | None
    procedure: str | None
    start: datetime
    end: datetime

    def where(self, unit_col: Any, time_col: Any | None) -> list[Any]:
        where = [] if self.units is None else [unit_col.in_(sorted(self.units))]
        if time_col is not None:
            where += [time_col >= self.start, time_col < self.end]
        if self.procedure:
            where.append(Dossier.procedure_code == self.procedure)
        return where


@dataclass(frozen=True)
class _Grouping:
    """How rows become output groups: by the row's unit (mapped to an output key, e.g. its child of
    the parent being broken down), or by procedure."""

    unit_key: dict[int, Key] | None = None  # unit id -> output key; None: units are not a dimension
    by: str | None = None  # None or "procedure"

    def dimension(self) -> Any:
        if self.by == "procedure":
            return Dossier.procedure_code
        return None

    def key(self, unit_id: int, extra: Any) -> Key:
        if self.unit_key is not None:
            return self.unit_key.get(unit_id)
        return extra

    def sql_key(self, unit_col: Any) -> Any:
        """The output key as SQL (for the percentile, which cannot be added up afterwards)."""
        if self.unit_key is None:
            dimension = self.dimension()
            return null() if dimension is None else dimension
        by_key: dict[Key, list[int]] = defaultdict(list)
        for unit_id, key in self.unit_key.items():
            by_key[key].append(unit_id)
        return case(*[(unit_col.in_(ids), literal(key)) for key, ids in by_key.items()], else_=None)


def _extra(dimension: Any | None) -> Any:
    return (null() if dimension is None else dimension).label("extra")


def _keys(unit_col: Any, dimension: Any | None) -> list[Any]:
    return [unit_col] if dimension is None else [unit_col, dimension]


def _grouped(
    columns: dict[str, Any], unit_col: Any, time_col: Any | None, scope: _Scope, grouping: _Grouping
) -> list[Any]:
    extra = grouping.dimension()
    return db.session.execute(
        select(unit_col.label("unit_id"), _extra(extra), *[c.label(n) for n, c in columns.items()])
        .where(*scope.where(unit_col, time_col))
        .group_by(*_keys(unit_col, extra))
    ).all()


def _add(
    totals: dict[Key, dict[str, int]], rows: Iterable[Any], grouping: _Grouping, names: Iterable[str]
) -> None:
    names = list(names)
    for row in rows:
        key = grouping.key(row.unit_id, row.extra)
        bucket = totals[key]
        for name in names:
            bucket[name] += getattr(row, name) or 0


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


def _reception(scope: _Scope, grouping: _Grouping, units: dict[int, Unit], totals: dict) -> None:
    online = Dossier.channel == "online"
    columns = {
        "received": func.count(),
        **{ch: _count(Dossier.channel == ch) for ch in CHANNELS},
        "fully_online": _count(and_(online, Dossier.has_digitised_inputs.is_(True))),
        "digitised": _count(Dossier.has_digitised_inputs.is_(True)),
        "reused": _count(Dossier.has_reused_document.is_(True)),
        "with_fee": _count(Dossier.procedure_code.in_(_fee_codes())),
    }
    if _national_sync_enabled():
        from app.sync.queries import national_synced_clause

        columns["synced"] = _count(national_synced_clause())
    rows = _grouped(columns, Dossier.receiving_unit_id, Dossier.received_at, scope, grouping)
    _add(totals, rows, grouping, columns)
    for row in rows:  # fully online per level of the receiving unit (any number of levels)
        level = units[row.unit_id].level
        bucket = totals[grouping.key(row.unit_id, row.extra)]
        bucket[f"level:{level}:received"] += row.received
        bucket[f"level:{level}:fully"] += row.fully_online


def _statutory_days_sql() -> Any:
    """Each dossier's statutory time in working days, as SQL over its procedure and version."""
    versions = [(p.code, p.version) for p in get_registry().all()]
    return case(
        *[
            (and_(Dossier.procedure_code == code, Dossier.procedure_version == version), days)
            for code, version in versions
            if (days := _statutory_days(code, version)) != 1.0
        ],
        else_=1.0,
    )


def _completion(scope: _Scope, grouping: _Grouping, totals: dict) -> None:
    timed = Dossier.processing_minutes.is_not(None)
    columns = {
        "completed": func.count(),
        "early": _count(Dossier.outcome == "early"),
        "on_time": _count(Dossier.outcome == "on_time"),
        "late": _count(Dossier.outcome == "late"),
        "electronic": _count(electronic_result()),
        "timed": func.count(Dossier.processing_minutes),
        "minutes": func.sum(Dossier.processing_minutes),
        "statutory_days": func.sum(_statutory_days_sql()).filter(timed),
        # the rating's answers, kept on the dossier (app.ratings.models)
        "ratings": func.count(Dossier.rating_overall),
        "satisfied": _count(Dossier.rating_overall >= SATISFIED_FROM),
        "time_ok": _count(Dossier.rating_time.in_(("faster", "on_time"))),
        "once": _count(Dossier.rating_contacts == "once"),
        "good": _count(Dossier.rating_conduct == "good"),
    }
    rows = _grouped(columns, Dossier.current_unit_id, Dossier.completed_at, scope, grouping)
    _add(totals, rows, grouping, columns)


def _open() -> list[Any]:
    return [
        Dossier.received_at.is_not(None),
        Dossier.completed_at.is_(None),
        Dossier.queue_due_at.is_not(None),
    ]


def _near_due(now: datetime) -> list[Any]:
    """Open dossiers whose running step is near due at `now` (see DossierStep.near_due_at)."""
    return [
        DossierStep.dossier_id == Dossier.id,
        DossierStep.finished_at.is_(None),
        DossierStep.paused_at.is_(None),
        Dossier.paused_at.is_(None),
        DossierStep.near_due_at < now,
        DossierStep.due_at >= now,
    ]


def _in_progress(scope: _Scope, grouping: _Grouping, now: datetime, totals: dict) -> None:
    unit_col = Dossier.current_unit_id
    extra = grouping.dimension()
    rows = db.session.execute(
        select(
            unit_col.label("unit_id"),
            _extra(extra),
            func.count().label("open"),
            _count(and_(Dossier.due_at < now, Dossier.paused_at.is_(None))).label("overdue"),
        )
        .where(*scope.where(unit_col, None), *_open())
        .group_by(*_keys(unit_col, extra))
    ).all()
    _add(totals, rows, grouping, ("open", "overdue"))
    # A running step is held by the dossier's current unit and paused with its dossier, and a dossier
    # with a running step is open: the steps' own index answers (one row per step), joined to the
    # dossier only for its procedure.
    step_unit = DossierStep.unit_id
    statement = select(step_unit.label("unit_id"), _extra(extra), func.count().label("near_due")).where(
        *scope.where(step_unit, None),
        DossierStep.finished_at.is_(None),
        DossierStep.paused_at.is_(None),
        DossierStep.near_due_at < now,
        DossierStep.due_at >= now,
    )
    if extra is not None or scope.procedure is not None:  # (the open-dossier conditions let the
        # database read the dossiers' side from ix_dossiers_open and hash-join)
        statement = statement.join(Dossier, Dossier.id == DossierStep.dossier_id).where(
            *scope.where(Dossier.current_unit_id, None), *_open()
        )
    near = db.session.execute(statement.group_by(*_keys(step_unit, extra))).all()
    _add(totals, near, grouping, ("near_due",))


def _p90(scope: _Scope, grouping: _Grouping) -> dict[Key, float]:
    """Nearest-rank 90th percentile of processing minutes per output group."""
    unit_col, time_col = Dossier.current_unit_id, Dossier.completed_at
    rows = (
        select(grouping.sql_key(unit_col).label("key"), Dossier.processing_minutes.label("minutes"))
        .where(*scope.where(unit_col, time_col), Dossier.processing_minutes.is_not(None))
        .subquery()
    )
    if db.session.get_bind().dialect.name == "postgresql":
        p90 = func.percentile_disc(0.9).within_group(rows.c.minutes)
        return dict(db.session.execute(select(rows.c.key, p90).group_by(rows.c.key)).all())
    values: dict[Key, list[int]] = defaultdict(list)
    for group, minutes in db.session.execute(select(rows.c.key, rows.c.minutes)):
        values[group].append(minutes)
    return {group: _p90_nearest_rank(sorted(v)) for group, v in values.items()}


def _p90_nearest_rank(ordered: list[int]) -> int:
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # the ceil(0.9 n)-th value


def _statutory_days(procedure_code: str, version: int) -> float:
    deadline = get_registry().get(procedure_code, version).deadline
    if deadline.kind == "working_days":
        return float(deadline.amount)
    if deadline.kind == "working_hours":
        return deadline.amount * 60 / get_calendar().minutes_per_day
    return 1.0  # same day


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _points(weight: int, rate: float | None, inputs: list[str], note: str | None = None) -> dict:
    points = None if rate is None else round(min(rate, 1.0) * weight, 2)
    return {"points": points, "max": weight, "inputs": inputs, **({"note": note} if note else {})}


def _score(m: dict) -> dict:
    online = m["online_share"]["rate"]
    digit_rates = [m[k]["rate"] for k in ("digitised_inputs", "electronic_results", "reused_documents")]
    known = [r for r in digit_rates if r is not None]
    groups = {
        "progress": _points(20, m["on_time_rate"]["rate"], ["on_time_rate"]),
        "online": _points(12, None if online is None else online / ONLINE_TARGET, ["online_share"]),
        "payment": _points(10, None, ["online_payment_share"], NO_PAYMENT_DATA),
        "satisfaction": _points(18, m["satisfaction_rate"]["rate"], ["satisfaction_rate"]),
        "digitisation": _points(
            22,
            _mean(known),
            ["digitised_inputs", "electronic_results", "reused_documents"],
        ),
        "transparency": _points(
            18,
            m["national_synced"]["rate"],
            ["national_synced"],
            None if m["national_synced"]["numerator"] is not None else NO_TRANSPARENCY,
        ),
    }
    scored = [g for g in groups.values() if g["points"] is not None]
    groups["total"] = {
        "points": round(sum(g["points"] for g in scored), 2),
        "max": sum(g["max"] for g in scored),
        "max_possible": sum(SCORE_WEIGHTS.values()),
    }
    return groups


def _metrics(t: dict[str, float], p90_minutes: float | None, with_in_progress: bool = True) -> dict:
    """The metrics of one output group from its added-up counts."""
    received, completed, ratings = t["received"], t["completed"], t["ratings"]
    minutes_per_day = get_calendar().minutes_per_day
    timed = t["timed"]
    levels = sorted({k.split(":")[1] for k in t if k.startswith("level:")})
    metrics: dict[str, Any] = {
        "received": pair(received, received),
        **{f"received_{ch}": pair(t[ch], received) for ch in CHANNELS},
        "online_share": pair(t["online"], received, ONLINE_TARGET),
        "completed_early": pair(t["early"], completed),
        "completed_on_time": pair(t["on_time"], completed),
        "completed_late": pair(t["late"], completed),
        "on_time_rate": pair(t["early"] + t["on_time"], completed),
    }
    if with_in_progress:
        metrics["in_progress_overdue"] = pair(t["overdue"], t["open"])
        metrics["in_progress_near_due"] = pair(t["near_due"], t["open"])
    metrics |= {
        "processing_time": {
            "count": timed,
            "average_days": t["minutes"] / timed / minutes_per_day if timed else None,
            "p90_days": p90_minutes / minutes_per_day if p90_minutes is not None else None,
            "statutory_average_days": t["statutory_days"] / timed if timed else None,
        },
        "fully_online": pair(t["fully_online"], received),
        "fully_online_by_level": {
            lv: pair(t[f"level:{lv}:fully"], t[f"level:{lv}:received"], FULLY_ONLINE_TARGETS.get(lv))
            for lv in levels
        },
        "satisfaction_rate": pair(t["satisfied"], ratings, SATISFACTION_TARGET),
        "satisfaction_time_ok": pair(t["time_ok"], ratings),
        "satisfaction_contacts_once": pair(t["once"], ratings),
        "satisfaction_conduct_good": pair(t["good"], ratings),
        "online_payment_share": pair(None, t["with_fee"], note=NO_PAYMENT_DATA),
        "digitised_inputs": pair(t["digitised"], received),
        "electronic_results": pair(t["electronic"], completed),
        "reused_documents": pair(t["reused"], received),
        # Decision 766 transparency: received dossiers whose latest state the national portal has
        # (app.sync.queries.national_synced_clause); no figure while national sync is not configured
        "national_synced": (
            pair(t["synced"], received)
            if _national_sync_enabled()
            else pair(None, received, note=NO_TRANSPARENCY)
        ),
    }
    metrics["score"] = _score(metrics)
    return metrics


def _all_units() -> dict[int, Unit]:
    return {u.id: u for u in db.session.scalars(select(Unit))}


def _totals(
    scope: _Scope,
    grouping: _Grouping,
    now: datetime,
    with_in_progress: bool,
    units: dict[int, Unit] | None = None,
) -> dict[Key, dict]:
    units = units or _all_units()
    totals: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(int))
    _reception(scope, grouping, units, totals)
    _completion(scope, grouping, totals)
    if with_in_progress:
        _in_progress(scope, grouping, now, totals)
    return totals


def _compute(
    scope: _Scope,
    grouping: _Grouping,
    now: datetime,
    keys: Iterable[Key],
    with_in_progress: bool = True,
    with_percentile: bool = True,
    units: dict[int, Unit] | None = None,
) -> dict[Key, dict]:
    totals = _totals(scope, grouping, now, with_in_progress, units)
    p90 = _p90(scope, grouping) if with_percentile else {}
    return {key: _metrics(totals[key], p90.get(key), with_in_progress) for key in keys}


def _scope(
    unit_id: int | None, level: str | None, procedure: str | None, date_from: date, date_to: date
) -> _Scope:
    return _Scope(scope_unit_ids(unit_id, level), procedure, *period_bounds(date_from, date_to))


def compute_indicators(
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> dict:
    """Every indicator of the scope as {numerator, denominator, rate, target} (see module docstring).

    "in_progress_near_due" counts open dossiers whose running step has less than 40% of its working
    time left (WorkingCalendar.near_due, stored as DossierStep.near_due_at) and is not yet overdue.
    "fully_online": received online and every current input document digitised; also per level of
    the receiving unit (any number of levels, so a 2-level structure works too).
    """
    scope = _scope(unit_id, level, procedure, date_from, date_to)
    return _compute(scope, _Grouping(), now or utcnow(), [None])[None]


def _unit_summary(unit: Unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "name_en": unit.name_en, "level": unit.level}


def list_child_units(parent_id: int | None) -> list[Unit]:
    parent = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
    return list(db.session.scalars(select(Unit).where(parent, Unit.is_active.is_(True)).order_by(Unit.code)))


def unit_overview(
    unit_id: int | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> tuple[dict, list[dict]]:
    """A unit's indicators and one row per active direct child (its ranking table), from one set of
    grouped queries: the same numbers as compute_indicators for the unit and for each child.
    `unit_id` None: the whole structure, its rows the top-level units."""
    now = now or utcnow()
    children = list_child_units(unit_id)
    below: dict[int | None, list[int]] = defaultdict(list)
    for uid, parent in db.session.execute(select(Unit.id, Unit.parent_id)):
        below[parent].append(uid)

    def subtree(root: int) -> list[int]:
        found, stack = [], [root]
        while stack:
            found.append(uid := stack.pop())
            stack.extend(below[uid])
        return found

    everything = [uid for ids in below.values() for uid in ids]
    unit_key: dict[int, Key] = dict.fromkeys(subtree(unit_id) if unit_id is not None else everything, unit_id)
    for child in children:
        unit_key |= dict.fromkeys(subtree(child.id), child.id)
    scope = _Scope(set(unit_key), procedure, *period_bounds(date_from, date_to))
    grouping = _Grouping(unit_key=unit_key)
    totals = _totals(scope, grouping, now, True)
    whole: dict[str, float] = defaultdict(int)
    for bucket in totals.values():
        for name, value in bucket.items():
            whole[name] += value
    p90 = _p90(scope, grouping)
    p90_whole = _p90(scope, _Grouping()).get(None)
    rows = [{"unit": _unit_summary(c), "metrics": _metrics(totals[c.id], p90.get(c.id))} for c in children]
    return _metrics(whole, p90_whole), rows


def indicators_by_unit(
    parent_id: int | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> list[dict]:
    """One row per active direct child of `parent_id`, each with the metrics of the child's subtree
    (the same numbers compute_indicators gives for that child). See unit_overview."""
    return unit_overview(parent_id, procedure, date_from, date_to, now)[1]


def indicators_by_procedure(
    unit_id: int | None,
    level: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> list[dict]:
    """One row per procedure of the registry (latest version's name), metrics of the scope for it."""
    procedures = sorted(get_registry().all(), key=lambda p: p.code)
    latest = {p.code: p for p in procedures}  # all() lists versions in order: the last one wins
    scope = _scope(unit_id, level, None, date_from, date_to)
    computed = _compute(scope, _Grouping(by="procedure"), now or utcnow(), list(latest))
    return [
        {"procedure": {"code": code, "name": p.name}, "metrics": computed[code]} for code, p in latest.items()
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
) -> list[dict]:
    """One row per month overlapping the period: the period metrics of that month. In-progress
    figures are a snapshot of now, so they are left out of the trend, and so is the 90th percentile
    of processing time (a sort of every month's dossiers; the average is there)."""
    units, now, all_units = scope_unit_ids(unit_id, level), now or utcnow(), _all_units()
    rows = []
    for month, first, last in months_of(date_from, date_to):
        # one range per month, each answered from the indexes like a period of its own: cheaper
        # than grouping a year of rows by an expression of their time
        scope = _Scope(units, procedure, *period_bounds(first, last))
        metrics = _compute(scope, _Grouping(), now, [None], False, False, all_units)[None]
        rows.append({"month": month, "date_from": first, "date_to": last, "metrics": metrics})
    return rows


# The dossiers behind a numerator ------------------------------------------------------------------

_RECEPTION: dict[str, Callable[[], list[Any]]] = {
    "received": lambda: [],
    **{f"received_{ch}": (lambda ch=ch: [Dossier.channel == ch]) for ch in CHANNELS},
    "fully_online": lambda: [Dossier.channel == "online", Dossier.has_digitised_inputs.is_(True)],
    "digitised_inputs": lambda: [Dossier.has_digitised_inputs.is_(True)],
    "reused_documents": lambda: [Dossier.has_reused_document.is_(True)],
}
_COMPLETION: dict[str, Callable[[], list[Any]]] = {
    "completed_early": lambda: [Dossier.outcome == "early"],
    "completed_on_time": lambda: [Dossier.outcome == "on_time"],
    "completed_late": lambda: [Dossier.outcome == "late"],
    "electronic_results": lambda: [electronic_result()],
}
_IN_PROGRESS = ("in_progress_overdue", "in_progress_near_due")
DRILLABLE_METRICS = (*_RECEPTION, *_COMPLETION, *_IN_PROGRESS)


def dossiers_behind(
    metric: str,
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> Any:
    """`select(Dossier)` of exactly the dossiers counted in `metric`'s numerator for this scope
    (unordered; the caller pages it). ValidationError for a metric that has no dossier list."""
    scope = _scope(unit_id, level, procedure, date_from, date_to)
    if metric in _RECEPTION:
        where = [*scope.where(Dossier.receiving_unit_id, Dossier.received_at), *_RECEPTION[metric]()]
    elif metric in _COMPLETION:
        where = [*scope.where(Dossier.current_unit_id, Dossier.completed_at), *_COMPLETION[metric]()]
    elif metric in _IN_PROGRESS:
        now = now or utcnow()
        where = [*scope.where(Dossier.current_unit_id, None), *_open()]
        if metric == "in_progress_overdue":
            where += [Dossier.due_at < now, Dossier.paused_at.is_(None)]
        else:
            where.append(exists().where(*_near_due(now)))
    else:
        raise ValidationError(
            "Chỉ số không có danh sách hồ sơ",
            {"metric": f"'{metric}' không hợp lệ; chọn một trong: {', '.join(DRILLABLE_METRICS)}"},
        )
    return select(Dossier).where(*where)
