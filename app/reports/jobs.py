"""Jobs of the reports domain: rendering one monthly report, and the monthly run.

Rendering: the row goes pending -> rendering (committed, so the page shows it) -> ready, or failed
with the reason kept for operators; the exception is re-raised so rq retries it (app.jobs.enqueue
declares the retries). A ready report is never rendered again.

Scheduling mirrors app.alerts.jobs: rq has no cron, so `flask reports schedule` enqueues a first run
now; each run that is the current link of the chain (app.jobs.chain.JobChain)
enqueues the next one at RUN_AT on the 1st of next month, Vietnam time (the worker runs
with_scheduler=True). A run started any other way (`flask reports monthly`, cron) never forks it.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, time

from app.core import tx
from app.core.db import utcnow
from app.core.time import VN_TZ
from app.extensions import db
from app.jobs.chain import JobChain
from app.official_forms.catalog import FormKind
from app.official_forms.rendering import render_pdf
from app.official_forms.retry import mark_failed, reenqueue_unfinished
from app.reports.content import report_content, shift_month
from app.reports.models import MonthlyReport
from app.reports.services import MonthlyRun, create_monthly_reports, previous_month, this_month
from app.storage import get_storage

log = logging.getLogger(__name__)

REPORT = FormKind(
    "monthly_report",
    "",
    "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
    "reports/monthly_report.html",
    "A4",
)
MAX_PDF_BYTES = 20 * 1024 * 1024
RUN_AT = time(1, 0)  # 01:00 on the 1st, Vietnam time: the previous month has ended everywhere


def render_monthly_report(report_id: int) -> None:
    """Job: figures, PDF, object store, ready. The figures are taken when the render runs. A report
    left 'rendering' by a killed worker is rendered again when queued again; two renders at once
    are settled by _mark_ready (the later one drops its copy)."""
    report = db.session.get(MonthlyReport, report_id, with_for_update=True)
    if report is None or report.is_ready:
        db.session.rollback()
        return
    report.status, report.error = "rendering", None
    unit_id, month = report.unit_id, report.month
    tx.commit()
    try:
        now = utcnow()
        pdf = render_pdf(REPORT, report_content(unit_id, month, now))
        stored = get_storage().put_stream(
            io.BytesIO(pdf),
            allowed_types=["application/pdf"],
            max_bytes=MAX_PDF_BYTES,
            prefix="monthly-reports",
        )
    except Exception as exc:
        db.session.rollback()
        mark_failed(MonthlyReport, report_id, exc, "monthly report")
        raise
    _mark_ready(report_id, stored.key, stored.size, now)


def _mark_ready(report_id: int, key: str, size: int, taken_at: datetime) -> None:
    report = db.session.get(MonthlyReport, report_id, with_for_update=True)
    if report is None or report.is_ready:  # deleted meanwhile, or another run finished first
        db.session.rollback()
        get_storage().delete(key)
        return
    tx.on_rollback(lambda: get_storage().delete(key))
    report.storage_key, report.size = key, size
    report.status, report.ready_at, report.error = "ready", taken_at, None
    tx.commit()
    log.info("monthly report %s ready: %s, %d bytes", report_id, key, size)


def render_unfinished_reports(older_than_seconds: int = 600) -> int:
    """Re-enqueue reports not ready after a while (lost job, worker killed, retries exhausted)."""
    return reenqueue_unfinished(MonthlyReport, render_monthly_report, "monthly-report", older_than_seconds)


# --- the monthly run and its rq chain --------------------------------------------------------------


def run_monthly(reschedule: bool = True) -> MonthlyRun:
    """Job: the previous month's reports (Vietnam time); the chain's current link then schedules the
    next run."""
    try:
        return create_monthly_reports(previous_month())
    finally:
        if reschedule:
            CHAIN.reschedule_if_current()


def next_run_at(now: datetime | None = None) -> datetime:
    """RUN_AT on the 1st of next month, Vietnam time."""
    return datetime.combine(shift_month(this_month(now), 1), RUN_AT, VN_TZ)


CHAIN = JobChain("reports-monthly", "app.reports.jobs.run_monthly", next_run_at)


def start_schedule() -> bool:
    """Start the chain (a run now) unless a live link exists; False when it was already running."""
    return CHAIN.start("flask reports monthly")
