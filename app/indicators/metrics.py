"""Indicator engine (DOMAIN §10): every figure is a numerator/denominator pair computed from the
processing records (dossiers, steps, documents, ratings), never from hand-entered numbers.

Scope and period:
- *Reception* metrics (received, channels, online share, fully online, digitisation, reuse, payment)
  count dossiers whose **receiving unit** is in the unit's subtree (optionally only units of `level`)
  and whose `received_at` (acceptance, when the clock starts) falls on a local date in the period.
- *Completion* metrics (early / on time / late, processing time, electronic results, satisfaction)
  count dossiers whose **current unit when completed** (`current_unit_id`: the unit that finished the
  last step) is in scope and whose `completed_at` falls in the period. Ratings follow their dossier.
- *In progress* metrics (overdue, near due) are a snapshot at "now" of open dossiers (accepted, not
  completed, not in a final state) whose current unit is in scope; the period does not apply.

Counts are SQL aggregates (`count(*) FILTER (WHERE ...)`); processing time and near-due use the
working calendar and are computed in Python over the rows of the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, not_, select

from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.core.time import VN_TZ
from app.dossiers.models import Dossier, DossierDocument, DossierStep
from app.extensions import db
from app.org.models import Unit
from app.org.queries import subtree_ids
from app.procedures import get_registry
from app.ratings.models import SATISFIED_FROM, Rating

CHANNELS = ("online", "counter", "postal")
ONLINE_TARGET = 0.5
SATISFACTION_TARGET = 0.9
FULLY_ONLINE_TARGETS = {"province": 0.95, "district": 0.85, "commune": 0.65}
NEAR_DUE_SHARE = 0.4  # warn when less than 40% of a step's working time is left
NO_PAYMENT_DATA = "chưa có dữ liệu thanh toán trực tuyến"
NO_TRANSPARENCY = "chờ đồng bộ Cổng DVC quốc gia (issue 6)"
SCORE_WEIGHTS = {
    "progress": 20,
    "online": 12,
    "payment": 10,
    "satisfaction": 18,
    "digitisation": 22,
    "transparency": 18,
}


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


def _input_docs(*conditions: Any) -> Any:
    return exists().where(
        DossierDocument.dossier_id == Dossier.id,
        DossierDocument.is_current.is_(True),
        DossierDocument.is_result.is_(False),
        *conditions,
    )


def _all_inputs_digitised() -> Any:
    return and_(_input_docs(), not_(_input_docs(DossierDocument.is_digitised.is_(False))))


def _reused() -> Any:
    return exists().where(DossierDocument.dossier_id == Dossier.id, DossierDocument.source == "reused")


def _electronic_result() -> Any:
    has_result = exists().where(DossierDocument.dossier_id == Dossier.id, DossierDocument.is_result.is_(True))
    return (Dossier.return_method == "electronic") | has_result


def _fee_codes() -> list[str]:
    return sorted({p.code for p in get_registry().all() if p.fee > 0})


def _count(**filters: Any) -> Any:
    return [func.count().filter(f).label(name) for name, f in filters.items()]


class _Scope:
    def __init__(self, units: set[int] | None, procedure: str | None, start: datetime, end: datetime) -> None:
        self.units, self.procedure, self.start, self.end = units, procedure, start, end

    def base(self, unit_col: Any, time_col: Any | None) -> list[Any]:
        where = [] if self.units is None else [unit_col.in_(self.units)]
        if time_col is not None:
            where += [time_col >= self.start, time_col < self.end]
        if self.procedure:
            where.append(Dossier.procedure_code == self.procedure)
        return where


def _reception(scope: _Scope) -> dict:
    where = scope.base(Dossier.receiving_unit_id, Dossier.received_at)
    online = Dossier.channel == "online"
    row = db.session.execute(
        select(
            func.count().label("received"),
            *_count(**{c: Dossier.channel == c for c in CHANNELS}),
            *_count(
                fully_online=and_(online, _all_inputs_digitised()),
                digitised=_all_inputs_digitised(),
                reused=_reused(),
                with_fee=Dossier.procedure_code.in_(_fee_codes()),
            ),
        ).where(*where)
    ).one()
    return row._asdict()


def _fully_online_by_level(scope: _Scope) -> dict:
    rows = db.session.execute(
        select(
            Unit.level,
            func.count().label("received"),
            func.count().filter(and_(Dossier.channel == "online", _all_inputs_digitised())).label("fully"),
        )
        .join(Unit, Unit.id == Dossier.receiving_unit_id)
        .where(*scope.base(Dossier.receiving_unit_id, Dossier.received_at))
        .group_by(Unit.level)
    ).all()
    return {lv: pair(fully, received, FULLY_ONLINE_TARGETS.get(lv)) for lv, received, fully in rows}


def _completion(scope: _Scope) -> dict:
    where = scope.base(Dossier.current_unit_id, Dossier.completed_at)
    row = db.session.execute(
        select(
            func.count().label("completed"),
            *_count(
                early=Dossier.outcome == "early",
                on_time=Dossier.outcome == "on_time",
                late=Dossier.outcome == "late",
                electronic=_electronic_result(),
            ),
        ).where(*where)
    ).one()
    return row._asdict()


def _satisfaction(scope: _Scope) -> dict:
    row = db.session.execute(
        select(
            func.count().label("ratings"),
            *_count(
                satisfied=Rating.overall >= SATISFIED_FROM,
                time_ok=Rating.time_vs_statutory.in_(("faster", "on_time")),
                once=Rating.contacts == "once",
                good=Rating.conduct == "good",
            ),
        )
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(*scope.base(Dossier.current_unit_id, Dossier.completed_at))
    ).one()
    return row._asdict()


def _open_where(scope: _Scope) -> list[Any]:
    return [
        *scope.base(Dossier.current_unit_id, None),
        Dossier.received_at.is_not(None),
        Dossier.completed_at.is_(None),
        Dossier.queue_due_at.is_not(None),
    ]


def _in_progress(scope: _Scope, now: datetime) -> dict:
    row = db.session.execute(
        select(
            func.count().label("open"),
            func.count().filter(Dossier.due_at < now, Dossier.paused_at.is_(None)).label("overdue"),
        ).where(*_open_where(scope))
    ).one()
    steps = db.session.execute(
        select(DossierStep.started_at, DossierStep.due_at)
        .join(Dossier, Dossier.id == DossierStep.dossier_id)
        .where(
            *_open_where(scope),
            DossierStep.finished_at.is_(None),
            DossierStep.paused_at.is_(None),
            Dossier.paused_at.is_(None),
            DossierStep.due_at >= now,
        )
    ).all()
    calendar = get_calendar()
    near = sum(1 for started, due in steps if calendar.near_due(started, due, now, NEAR_DUE_SHARE))
    return {"open": row.open, "overdue": row.overdue, "near_due": near}


def _statutory_days(procedure_code: str, version: int) -> float:
    deadline = get_registry().get(procedure_code, version).deadline
    if deadline.kind == "working_days":
        return float(deadline.amount)
    if deadline.kind == "working_hours":
        return deadline.amount * 60 / get_calendar().minutes_per_day
    return 1.0  # same day


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # nearest rank


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _processing_time(scope: _Scope) -> dict:
    """Working days from acceptance to completion minus paused time, in Python over the period."""
    rows = db.session.execute(
        select(
            Dossier.received_at,
            Dossier.completed_at,
            Dossier.paused_minutes,
            Dossier.procedure_code,
            Dossier.procedure_version,
        ).where(*scope.base(Dossier.current_unit_id, Dossier.completed_at), Dossier.received_at.is_not(None))
    ).all()
    calendar = get_calendar()
    days = [
        max(calendar.working_minutes_between(r.received_at, r.completed_at) - r.paused_minutes, 0)
        / calendar.minutes_per_day
        for r in rows
    ]
    statutory = [_statutory_days(r.procedure_code, r.procedure_version) for r in rows]
    return {
        "count": len(days),
        "average_days": _mean(days),
        "p90_days": _p90(days),
        "statutory_average_days": _mean(statutory),
    }


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
        "transparency": _points(18, None, [], NO_TRANSPARENCY),
    }
    scored = [g for g in groups.values() if g["points"] is not None]
    groups["total"] = {
        "points": round(sum(g["points"] for g in scored), 2),
        "max": sum(g["max"] for g in scored),
        "max_possible": sum(SCORE_WEIGHTS.values()),
    }
    return groups


def compute_indicators(
    unit_id: int | None,
    level: str | None,
    procedure: str | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> dict:
    """Every indicator of the scope as {numerator, denominator, rate, target} (see module docstring).

    "in_progress_near_due" counts open, running steps with less than 40% of their working time left
    (WorkingCalendar.near_due, in Python over the open steps of the scope; not yet overdue).
    "fully_online": received online and every current input document digitised; also per level of
    the receiving unit (any number of levels, so a 2-level structure works too).
    """
    now = now or utcnow()
    scope = _Scope(scope_unit_ids(unit_id, level), procedure, *period_bounds(date_from, date_to))
    r, c, s = _reception(scope), _completion(scope), _satisfaction(scope)
    p = _in_progress(scope, now)
    received, completed, ratings = r["received"], c["completed"], s["ratings"]
    metrics: dict[str, Any] = {
        "received": pair(received, received),
        **{f"received_{ch}": pair(r[ch], received) for ch in CHANNELS},
        "online_share": pair(r["online"], received, ONLINE_TARGET),
        "completed_early": pair(c["early"], completed),
        "completed_on_time": pair(c["on_time"], completed),
        "completed_late": pair(c["late"], completed),
        "on_time_rate": pair(c["early"] + c["on_time"], completed),
        "in_progress_overdue": pair(p["overdue"], p["open"]),
        "in_progress_near_due": pair(p["near_due"], p["open"]),
        "processing_time": _processing_time(scope),
        "fully_online": pair(r["fully_online"], received),
        "fully_online_by_level": _fully_online_by_level(scope),
        "satisfaction_rate": pair(s["satisfied"], ratings, SATISFACTION_TARGET),
        "satisfaction_time_ok": pair(s["time_ok"], ratings),
        "satisfaction_contacts_once": pair(s["once"], ratings),
        "satisfaction_conduct_good": pair(s["good"], ratings),
        "online_payment_share": pair(None, r["with_fee"], note=NO_PAYMENT_DATA),
        "digitised_inputs": pair(r["digitised"], received),
        "electronic_results": pair(c["electronic"], completed),
        "reused_documents": pair(r["reused"], received),
    }
    metrics["score"] = _score(metrics)
    return metrics
