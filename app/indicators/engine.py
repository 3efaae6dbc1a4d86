"""How counted rows become indicators: one request's context (units, rollup plan, instant), the
output group each row adds to, and the metrics of a group from its added-up counts.

A request builds one `Context` and asks it for groups: `totals(groups, buckets)` reads each family
once (app.indicators.rollups.read: rollup rows, corrections for the dossiers changed since, and
today from the records), maps every row's unit to its group (the scope unit, a ranking row, a
procedure, a month) and adds it up in Python; registry facts (fee, statutory time, field) are
applied per procedure version here. In-progress figures are a snapshot of `now`, always counted
from the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import and_, case, func, literal, literal_column, select

from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.core.time import VN_TZ, to_local
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.indicators import decision766, rollups, targets
from app.indicators.attribution import UnitTree
from app.indicators.facts import CHANNELS, FactRow, competent_unit, dossier_unit, leg_groups
from app.procedures import get_registry

NO_PAYMENT_DATA = "chưa có dữ liệu thanh toán trực tuyến"
NO_TRANSPARENCY = "chưa cấu hình đồng bộ Cổng DVC quốc gia (NATIONAL_PORTAL_URL)"
NO_DATA_STORE = "chưa cấu hình kho dữ liệu cá nhân của công dân (DATA_STORE_URL)"
CERTIFICATION_FIELD = "chung_thuc"  # lĩnh vực Chứng thực: electronic certified copies
FULLY_ONLINE_LEVEL = "toan_trinh"

Key = Any
SKIP = object()  # a row outside every group asked for


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start, end) instants of local dates date_from..date_to inclusive."""
    start = datetime.combine(date_from, time(0), tzinfo=VN_TZ)
    return start, datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=VN_TZ)


def pair(numerator: int | None, denominator: int, target: float | None = None, **extra: Any) -> dict:
    rate = numerator / denominator if numerator is not None and denominator else None
    return {"numerator": numerator, "denominator": denominator, "rate": rate, "target": target, **extra}


def _national_sync_enabled() -> bool:
    from app.sync.national_client import is_enabled

    return is_enabled()


def _data_store_enabled() -> bool:
    from app.results.datastore import is_enabled

    return is_enabled()


@dataclass(frozen=True)
class VersionFacts:
    has_fee: bool
    statutory_days: float
    certification: bool


@dataclass
class Context:
    """One request's reading: the attribution basis, old units as they were or restated, the
    instant of the in-progress snapshot, the unit tree and the rollup plan (loaded once)."""

    basis: str
    structure: str
    now: datetime = field(default_factory=utcnow)
    _plans: dict[tuple[date, date], Any] = field(default_factory=dict)

    @cached_property
    def tree(self) -> UnitTree:
        return UnitTree.load(to_local(self.now).date())

    @cached_property
    def all_units(self) -> list[int]:
        return sorted(self.tree.units)

    def plan(self, first: date, last: date) -> Any:
        """The rollup plan covering [first, last] (one per request and span asked)."""
        for (a, b), plan in self._plans.items():
            if a <= first and last <= b:
                return plan
        plan = rollups.plan_for(first, last)
        self._plans[(first, last)] = plan
        return plan

    def prepare(self, first: date, last: date) -> None:
        """Make one plan for everything a page asks within [first, last]."""
        self.plan(first, last)

    @cached_property
    def _versions(self) -> dict[tuple[str, int], VersionFacts]:
        minutes_per_day = get_calendar().minutes_per_day
        found = {}
        for p in get_registry().all():
            deadline = p.deadline
            if deadline.kind == "working_days":
                days = float(deadline.amount)
            elif deadline.kind == "working_hours":
                days = deadline.amount * 60 / minutes_per_day
            else:
                days = 1.0  # same day
            found[(p.code, p.version)] = VersionFacts(p.fee > 0, days, p.field_code == CERTIFICATION_FIELD)
        return found

    def version(self, code: str, version: int) -> VersionFacts:
        return self._versions.get((code, version), VersionFacts(False, 1.0, False))

    # --- adding up -------------------------------------------------------------------------------

    def add_rows(
        self, totals: dict[Key, dict[str, float]], rows: Iterable[FactRow], key_of: Callable[[FactRow], Key]
    ) -> None:
        for row in rows:
            key = key_of(row)
            if key is SKIP:
                continue
            bucket = totals[key]
            for name, value in row.counts.items():
                bucket[name] += value
            facts = self.version(row.procedure_code, row.procedure_version)
            if row.family == "intake":
                if facts.has_fee:
                    bucket["with_fee"] += row.counts["received"]
                level = (
                    self.tree.level_of(row.unit_id, self.structure) if row.unit_id in self.tree.units else "?"
                )
                bucket[f"level:{level}:received"] += row.counts["received"]
                bucket[f"level:{level}:fully"] += row.counts["fully_online"]
            elif row.family == "completion":
                bucket["statutory_days"] += row.counts["timed"] * facts.statutory_days
                if facts.certification:
                    bucket["certified"] += row.counts["completed"]
                    bucket["certified_electronic"] += row.counts["electronic"]

    def read(
        self,
        family: str,
        buckets: list[rollups.Bucket],
        units: set[int] | None,
        procedure: str | None,
        groups: dict[int, int] | None = None,
    ) -> list[FactRow]:
        first, last = min(b.first for b in buckets), max(b.last for b in buckets)
        return rollups.read(
            family, self.basis, buckets, units, procedure, self.all_units, self.plan(first, last), groups
        )

    def in_progress(
        self,
        totals: dict[Key, dict[str, float]],
        units: set[int] | None,
        procedure: str | None,
        key_of: Callable[[int, str], Key],
    ) -> None:
        """Open dossiers now, overdue and near due, under the basis (legs: open legs)."""
        for unit_id, code, open_, overdue, near_due in in_progress_rows(
            self.basis, self.now, units, procedure
        ):
            key = key_of(unit_id, code)
            if key is SKIP:
                continue
            bucket = totals[key]
            bucket["open"] += open_
            bucket["overdue"] += overdue
            bucket["near_due"] += near_due


# --- in progress (a snapshot of now) ---------------------------------------------------------------


def _open_dossier() -> list[Any]:
    return [
        Dossier.received_at.is_not(None),
        Dossier.completed_at.is_(None),
        Dossier.queue_due_at.is_not(None),
    ]


def near_due_step(now: datetime) -> list[Any]:
    return [
        DossierStep.finished_at.is_(None),
        DossierStep.paused_at.is_(None),
        DossierStep.near_due_at < now,
        DossierStep.due_at >= now,
    ]


def in_progress_rows(
    basis: str, now: datetime, units: set[int] | None, procedure: str | None
) -> list[tuple[int, str, int, int, int]]:
    """(unit, procedure, open, overdue, near due) rows."""
    where_procedure = [Dossier.procedure_code == procedure] if procedure else []
    if basis == "leg":
        unit = DossierStep.unit_id
        running = DossierStep.paused_at.is_(None)
        statement = (
            select(
                unit,
                Dossier.procedure_code,
                func.count(),
                func.count().filter(and_(running, DossierStep.due_at < now)),
                func.count().filter(and_(running, DossierStep.near_due_at < now, DossierStep.due_at >= now)),
            )
            .join(Dossier, Dossier.id == DossierStep.dossier_id)
            .where(DossierStep.finished_at.is_(None), *_open_dossier(), *where_procedure)
        )
        if units is not None:
            statement = statement.where(unit.in_(sorted(units)))
        return [tuple(r) for r in db.session.execute(statement.group_by(unit, Dossier.procedure_code))]
    unit = dossier_unit(basis)
    unit_filter = [] if units is None else [unit.in_(sorted(units))]
    # one pass over the open dossiers; those whose running step is near due are looked up in a hash
    # of the near-due steps (PostgreSQL's hashed subplan: built once, not a join)
    near = Dossier.id.in_(select(DossierStep.dossier_id).where(*near_due_step(now)))
    statement = (
        select(
            unit.label("unit_id"),
            Dossier.procedure_code,
            func.count(),
            func.count().filter(and_(Dossier.due_at < now, Dossier.paused_at.is_(None))),
            func.count().filter(and_(Dossier.paused_at.is_(None), near)),
        )
        .where(*_open_dossier(), *unit_filter, *where_procedure)
        .group_by(unit, Dossier.procedure_code)
    )
    return [tuple(r) for r in db.session.execute(statement)]


# --- the 90th percentile of processing time (does not add up: asked per group) ---------------------


TOTAL = object()  # p90_minutes(..., with_total=True): the key of the whole


def p90_minutes(
    basis: str,
    start: datetime,
    end: datetime,
    procedure: str | None,
    keys: dict[int, Key] | None = None,
    units: Iterable[int] | None = None,
    with_total: bool = False,
) -> dict[Key, float]:
    """Nearest-rank 90th percentile of processing minutes of the dossiers completed in [start, end),
    per group: `keys` maps unit id -> group (units not in it are left out); without `keys`, per
    procedure code of the dossiers of `units` (None: every unit). `with_total`: also the whole,
    under the key TOTAL, from the same pass where each dossier is in one group only."""
    if with_total and (basis == "leg" or keys is None or db.session.get_bind().dialect.name != "postgresql"):
        found = p90_minutes(basis, start, end, procedure, keys, units)
        whole = p90_minutes(
            basis, start, end, procedure, dict.fromkeys(keys or (), "all") if keys else None, units
        )
        found[TOTAL] = whole.get("all") if keys else None
        return found
    if keys is not None and not keys:
        return {}
    if basis == "leg":
        unit = None
    else:
        unit = Dossier.receiving_unit_id if basis == "received" else competent_unit()
    base = select().select_from(Dossier)
    where = [
        Dossier.completed_at >= start,
        Dossier.completed_at < end,
        Dossier.processing_minutes.is_not(None),
    ]
    if procedure:
        where.append(Dossier.procedure_code == procedure)
    groups: list[Key] = []
    if keys is None:
        group: Any = Dossier.procedure_code
        if unit is None:
            legs = leg_groups(None if units is None else dict.fromkeys(units, 0))
            base = base.join(legs, legs.c.dossier_id == Dossier.id)
        elif units is not None:
            where.append(unit.in_(sorted(set(units))))
    else:
        groups = list(dict.fromkeys(keys.values()))  # each group by its index: SQL needs one type
        index = {key: n for n, key in enumerate(groups)}
        if unit is None:  # the leg reading: each dossier once in each group that had a leg in it
            legs = leg_groups({u: index[k] for u, k in keys.items()})
            base = base.join(legs, legs.c.dossier_id == Dossier.id)
            group = legs.c.grp
        else:
            by_index: dict[int, list[int]] = defaultdict(list)
            for unit_id, key in keys.items():
                by_index[index[key]].append(unit_id)
            if len(groups) == 1:
                group = literal(0)
            else:
                group = case(*[(unit.in_(ids), literal(n)) for n, ids in by_index.items()], else_=None)
            where.append(unit.in_(sorted(keys)))
    rows = (
        base.add_columns(group.label("key"), Dossier.processing_minutes.label("minutes"))
        .where(*where)
        .subquery()
    )
    if db.session.get_bind().dialect.name == "postgresql":
        p90 = func.percentile_disc(0.9).within_group(rows.c.minutes)
        if with_total:
            sets = func.grouping_sets(rows.c.key, literal_column("()"))
            total = func.grouping(rows.c.key)
            found, whole = {}, None
            for key, is_total, minutes in db.session.execute(select(rows.c.key, total, p90).group_by(sets)):
                if is_total:
                    whole = minutes
                else:
                    found[key] = minutes
            return {**{groups[n]: v for n, v in found.items() if n is not None}, TOTAL: whole}
        found = dict(db.session.execute(select(rows.c.key, p90).group_by(rows.c.key)).all())
    else:
        values: dict[Any, list[int]] = defaultdict(list)
        for n, minutes in db.session.execute(select(rows.c.key, rows.c.minutes)):
            values[n].append(minutes)
        found = {n: _nearest_rank(sorted(v)) for n, v in values.items()}
    if keys is None:
        return found
    return {groups[n]: minutes for n, minutes in found.items() if n is not None}


def _nearest_rank(ordered: list[int]) -> int:
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # the ceil(0.9 n)-th value


# --- metrics of one group -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date


def metrics_of(
    t: dict[str, float],
    p90: float | None,
    period: Period,
    basis: str,
    *,
    with_in_progress: bool = True,
    procedures_online: tuple[int, int] = (0, 0),
    petitions: Any = None,
) -> dict:
    """Every indicator of one group from its added-up counts (see app.indicators.metrics)."""
    start, end = period.date_from, period.date_to

    def goal(metric: str, level: str | None = None) -> float | None:
        return targets.value(metric, level, start, end)

    received, ratings = t["received"], t["ratings"]
    minutes_per_day = get_calendar().minutes_per_day
    timed = t["timed"]
    by_leg = basis == "leg"
    done = t["legs"] if by_leg else t["completed"]
    early, on_time, late = (
        (t["leg_early"], t["leg_on_time"], t["leg_late"]) if by_leg else (t["early"], t["on_time"], t["late"])
    )
    levels = sorted({k.split(":")[1] for k in t if k.startswith("level:")})
    m: dict[str, Any] = {
        "received": pair(received, received),
        **{f"received_{ch}": pair(t[ch], received) for ch in CHANNELS},
        "online_share": pair(t["online"], received, goal("online_share")),
        "completed_early": pair(early, done),
        "completed_on_time": pair(on_time, done),
        "completed_late": pair(late, done),
        "on_time_rate": pair(
            early + on_time, done, goal("on_time_rate"), counted="legs" if by_leg else "dossiers"
        ),
    }
    if with_in_progress:
        m["in_progress_overdue"] = pair(t["overdue"], t["open"])
        m["in_progress_near_due"] = pair(t["near_due"], t["open"])
    m |= {
        "processing_time": {
            "count": timed,
            "average_days": t["minutes"] / timed / minutes_per_day if timed else None,
            "p90_days": p90 / minutes_per_day if p90 is not None else None,
            "statutory_average_days": t["statutory_days"] / timed if timed else None,
        },
        "fully_online": pair(t["fully_online"], received),
        "fully_online_by_level": {
            lv: pair(t[f"level:{lv}:fully"], t[f"level:{lv}:received"], goal("fully_online", lv))
            for lv in levels
        },
        "satisfaction_rate": pair(t["satisfied"], ratings, goal("satisfaction_rate")),
        "satisfaction_time_ok": pair(t["time_ok"], ratings),
        "satisfaction_contacts_once": pair(t["once"], ratings),
        "satisfaction_conduct_good": pair(t["good"], ratings),
        "online_payment_share": pair(None, t["with_fee"], note=NO_PAYMENT_DATA),
        "digitised_inputs": pair(t["digitised"], received, goal("digitised_inputs")),
        "electronic_results": pair(t["electronic"], t["completed"], goal("electronic_results")),
        # of the original electronic results, those pushed to the citizen's data store (app.results)
        "results_to_data_store": (
            pair(t["pushed"], t["electronic"])
            if _data_store_enabled()
            else pair(None, t["electronic"], note=NO_DATA_STORE)
        ),
        "reused_documents": pair(t["reused"], received),
        "electronic_certified_copies": pair(t["certified_electronic"], t["certified"]),
        "procedures_online": pair(*procedures_online),
        # received dossiers whose latest state the national portal has (app.sync.queries)
        "national_synced": (
            pair(t["synced"], received)
            if _national_sync_enabled()
            else pair(None, received, note=NO_TRANSPARENCY)
        ),
    }
    if petitions is not None:
        m["petitions_on_time"] = pair(petitions.on_time, petitions.due)
        m["petitions_satisfied"] = pair(petitions.satisfied, petitions.rated)
        m["petitions_open_overdue"] = petitions.open_overdue
    m["score"] = decision766.score(m)
    return m
