"""Monthly reports: which units get one, making the rows (the monthly job, the CLI, a staff request)
and who may see them.

A report row is made once per unit and month (unique key; ``INSERT .. ON CONFLICT DO NOTHING``), so
running the monthly job twice, or at the same time as a staff request, never duplicates one. Its
render job is enqueued after the row commits; a failed report is queued again when asked again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.time import to_local
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.indicators.metrics import period_bounds
from app.jobs import enqueue
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.reports.content import month_bounds, shift_month
from app.reports.models import MonthlyReport
from app.reports.permissions import can_see_unit, report_unit_ids, require_request

log = logging.getLogger(__name__)

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = date(2020, 1, 1)
LIST_LIMIT = 200


# --- months ----------------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """'2026-11' -> date(2026, 11, 1); anything else is a ValidationError saying the format."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        message = f"Tháng '{text}' không hợp lệ: ghi theo dạng YYYY-MM, ví dụ 2026-11"
        raise ValidationError(message, {"month": message})
    return date(int(match[1]), int(match[2]), 1)


def this_month(now: datetime | None = None) -> date:
    """The first day of the current month in Vietnam time."""
    return to_local(now or utcnow()).date().replace(day=1)


def previous_month(now: datetime | None = None) -> date:
    return shift_month(this_month(now), -1)


def require_finished_month(month: date, now: datetime | None = None) -> None:
    """Reports are of months that have ended (the figures of a running month still change)."""
    if month >= this_month(now):
        message = "Chỉ lập báo cáo cho tháng đã kết thúc"
        raise ValidationError(message, {"month": message})
    if month < FIRST_MONTH:
        message = f"Chỉ lập báo cáo từ tháng {FIRST_MONTH:%m/%Y}"
        raise ValidationError(message, {"month": message})


def list_report_units(user: User) -> list[Unit]:
    """Active units the user may see (and filter by), by agency code."""
    ids = report_unit_ids(user)
    query = select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.code)
    if ids is not None:
        query = query.where(Unit.id.in_(ids))
    return list(db.session.scalars(query))


def get_report(user: User, report_id: int) -> MonthlyReport:
    """A report of a unit the user may see; anything else is 404 (no probing of ids)."""
    report = db.session.get(MonthlyReport, report_id)
    if report is None or not can_see_unit(user, report.unit_id):
        raise NotFoundError(f"Không tìm thấy báo cáo #{report_id}")
    return report


def list_reports(
    user: User, unit_id: int | None = None, month: date | None = None, limit: int = LIST_LIMIT
) -> list[MonthlyReport]:
    """Reports of the user's units, newest month first; a unit outside them is 404."""
    if unit_id is not None and not can_see_unit(user, unit_id):
        raise NotFoundError(f"Không tìm thấy đơn vị #{unit_id}")
    ids = report_unit_ids(user)
    query = select(MonthlyReport).join(Unit).options(selectinload(MonthlyReport.unit))
    if ids is not None:
        query = query.where(MonthlyReport.unit_id.in_(ids))
    if unit_id is not None:
        query = query.where(MonthlyReport.unit_id == unit_id)
    if month is not None:
        query = query.where(MonthlyReport.month == month)
    ordered = query.order_by(MonthlyReport.month.desc(), MonthlyReport.as_of.desc().nulls_first(), Unit.code)
    return list(db.session.scalars(ordered.limit(limit)))


# --- making reports --------------------------------------------------------------------------------


def reporting_units(month: date) -> list[Unit]:
    """Active units that had received or handled a dossier by the end of the month, and the active
    units above them (whose reports add their sub-units up), by agency code."""
    end = period_bounds(*month_bounds(month))[1]
    received = exists().where(Dossier.receiving_unit_id == Unit.id, Dossier.received_at < end)
    handled = exists().where(DossierStep.unit_id == Unit.id, DossierStep.started_at < end)
    units = {u.id: u for u in db.session.scalars(select(Unit).where(or_(received, handled)))}
    for unit in list(units.values()):
        parent = unit.parent
        while parent is not None and parent.id not in units:
            units[parent.id] = parent
            parent = parent.parent
    return sorted((u for u in units.values() if u.is_active), key=lambda u: u.code)


def _insert_report(
    unit_id: int, month: date, requested_by_id: int | None, as_of: date | None = None
) -> int | None:
    """The new report's id, or None when the unit already has one for the month (for a month-to-date
    report: for the month up to `as_of`)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    keys, where = (["unit_id", "month"], MonthlyReport.as_of.is_(None))
    if as_of is not None:
        keys, where = (["unit_id", "month", "as_of"], MonthlyReport.as_of.is_not(None))
    statement = (
        dialect.insert(MonthlyReport)
        .values(
            unit_id=unit_id,
            month=month,
            as_of=as_of,
            requested_by_id=requested_by_id,
            status="pending",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=keys, index_where=where)
        .returning(MonthlyReport.id)
    )
    return db.session.execute(statement).scalar()


def _enqueue_after_commit(report_ids: list[int]) -> None:
    from app.reports.jobs import render_monthly_report

    for report_id in report_ids:
        enqueue(render_monthly_report, report_id, job_id=f"monthly-report-{report_id}")


@dataclass(frozen=True)
class MonthlyRun:
    month: date
    units: int
    created: int
    queued: int  # created ones plus failed or pending ones queued again


def create_monthly_reports(month: date, unit_code: str | None = None) -> MonthlyRun:
    """The month's report for every reporting unit (or the one unit with ``unit_code``): missing
    rows are made, and new, pending and failed reports queued for rendering. Idempotent."""
    require_finished_month(month)
    if unit_code is not None:
        unit = find_unit_by_code(unit_code.strip())
        if unit is None or not unit.is_active:
            raise ValidationError(f"Không có đơn vị đang hoạt động mã '{unit_code}'", {"unit": unit_code})
        units = [unit]
    else:
        units = reporting_units(month)
    created = [i for i in (_insert_report(u.id, month, None) for u in units) if i is not None]
    queued = list(
        db.session.scalars(
            select(MonthlyReport.id).where(
                MonthlyReport.month == month,
                MonthlyReport.as_of.is_(None),
                MonthlyReport.unit_id.in_([u.id for u in units]),
                MonthlyReport.status.in_(("pending", "failed")),
            )
        )
    )
    _enqueue_after_commit(queued)
    db.session.flush()
    log.info(
        "monthly reports %s: %d unit(s), %d new, %d queued",
        f"{month:%Y-%m}",
        len(units),
        len(created),
        len(queued),
    )
    return MonthlyRun(month, len(units), len(created), len(queued))


def request_report(user: User, unit_id: int, month: date) -> tuple[MonthlyReport, bool]:
    """A staff request for one unit and past month: (the report, whether it was queued now). An
    existing ready or rendering report is returned as it is; a failed one is queued again."""
    require_request(user, unit_id)
    require_finished_month(month)
    return _ask(user, unit_id, month, None)


def request_month_to_date_report(
    user: User, unit_id: int, now: datetime | None = None
) -> tuple[MonthlyReport, bool]:
    """A staff request for one unit's report of the running month, from its first day to today
    (Vietnam time): one per unit and day, its figures taken when it is rendered; the whole-month
    report still comes once the month has ended."""
    require_request(user, unit_id)
    return _ask(user, unit_id, this_month(now), to_local(now or utcnow()).date())


def _ask(user: User, unit_id: int, month: date, as_of: date | None) -> tuple[MonthlyReport, bool]:
    _insert_report(unit_id, month, user.id, as_of)
    same_day = MonthlyReport.as_of.is_(None) if as_of is None else MonthlyReport.as_of == as_of
    report = db.session.scalar(
        select(MonthlyReport)
        .where(MonthlyReport.unit_id == unit_id, MonthlyReport.month == month, same_day)
        .with_for_update()
    )
    queued = report.status in ("pending", "failed")
    if queued:
        report.status, report.error = "pending", None
        _enqueue_after_commit([report.id])
    db.session.flush()
    log.info(
        "report %s (unit %s, %s%s) asked for by %s",
        report.id,
        unit_id,
        f"{month:%Y-%m}",
        f" to {as_of:%d}" if as_of else "",
        user.id,
    )
    return report, queued
