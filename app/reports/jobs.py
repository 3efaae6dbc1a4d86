"""Jobs of the reports domain: rendering one monthly report, and the monthly run.

Rendering: the row goes pending -> rendering (committed, so the page shows it) -> ready, or failed
with the reason kept for operators; the exception goes on so rq retries it. A ready report is never
rendered again.

The monthly run is periodic (app.jobs.schedule): every day at RUN_AT, Vietnam time, it makes the
previous month's missing reports, so the 1st is when they appear and any later day catches up.
`flask reports monthly` does the same by hand or from cron.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, time

from app.core import uow
from app.core.db import utcnow
from app.extensions import db
from app.jobs import HEAVY, QUICK, job
from app.official_forms.catalog import FormKind
from app.official_forms.rendering import render_pdf
from app.official_forms.retry import failure_recorder, reenqueue_unfinished
from app.reports.content import report_content
from app.reports.models import MonthlyReport
from app.reports.services import MonthlyRun, create_monthly_reports, previous_month
from app.storage import get_storage

log = logging.getLogger(__name__)

REPORT = FormKind(
    "monthly_report",
    "monthly_report",
    "",
    "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
    "reports/monthly_report.html",
    "A4",
)
MAX_PDF_BYTES = 20 * 1024 * 1024
RUN_AT = time(1, 0)  # 01:00 Vietnam time: on the 1st, the previous month has ended everywhere
RUN_CRON = "0 18 * * *"  # RUN_AT in UTC (Vietnam is UTC+7 all year)


@job(
    queue=HEAVY,
    timeout=900,
    retry=(30, 120, 600),
    on_failure=failure_recorder(MonthlyReport, "monthly report"),
)
def render_monthly_report(report_id: int) -> None:
    """Figures, PDF, object store, ready. The figures are taken when the render runs. "rendering" is
    committed first, so the page shows it; a report left "rendering" by a killed worker is rendered
    again by rq's retry; two renders at once are settled by _mark_ready (the later one drops its copy)."""
    with uow.unit_of_work():
        report = db.session.get(MonthlyReport, report_id, with_for_update=True)
        if report is None or report.is_ready:
            return
        report.status, report.error = "rendering", None
        unit_id, month, as_of = report.unit_id, report.month, report.as_of
    now = utcnow()
    pdf = render_pdf(REPORT, report_content(unit_id, month, now, as_of))
    stored = get_storage().put_stream(
        io.BytesIO(pdf), allowed_types=["application/pdf"], max_bytes=MAX_PDF_BYTES, prefix="monthly-reports"
    )
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    _mark_ready(report_id, stored.key, stored.size, now)


def _mark_ready(report_id: int, key: str, size: int, taken_at: datetime) -> None:
    report = db.session.get(MonthlyReport, report_id, with_for_update=True, populate_existing=True)
    if report is None or report.is_ready:  # deleted meanwhile, or another run finished first
        uow.after_commit(lambda: get_storage().delete(key))
        return
    report.storage_key, report.size = key, size
    report.status, report.ready_at, report.error = "ready", taken_at, None
    log.info("monthly report %s ready: %s, %d bytes", report_id, key, size)


@job(queue=QUICK, timeout=120)
def render_unfinished_reports(older_than_seconds: int = 600) -> int:
    """Periodic: re-enqueue reports not ready after a while (a lost push, retries run out)."""
    return reenqueue_unfinished(MonthlyReport, render_monthly_report, "monthly-report", older_than_seconds)


# --- the monthly run ------------------------------------------------------------------------------


@job(queue=QUICK, timeout=600)
def run_monthly() -> MonthlyRun:
    """Periodic, every day at RUN_AT: the previous month's reports (Vietnam time) that are still
    missing, so a day the scheduler was down is caught up the day after. Idempotent."""
    return create_monthly_reports(previous_month())
