"""The monthly run: one report per reporting unit and month, however often it runs; the CLI; and
a render that fails is left failed, then rendered when asked again."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.org.queries import get_unit_by_code
from app.reports import jobs
from app.reports.jobs import RUN_CRON, render_monthly_report
from app.reports.models import MonthlyReport
from app.reports.services import create_monthly_reports
from tests.reports.conftest import COMMUNE, DISTRICT, OCTOBER, PROVINCE


def _reports() -> list[tuple[str, str, str]]:
    rows = db.session.scalars(select(MonthlyReport).order_by(MonthlyReport.id))
    return [(r.unit.code, f"{r.month:%Y-%m}", r.status) for r in rows]


def test_monthly_run_makes_one_report_per_unit_and_month_even_when_run_twice(october, queued):
    first = create_monthly_reports(OCTOBER)

    # The commune received and handled the dossiers; the district and the province add it up.
    expected = [(code, "2026-10", "pending") for code in sorted((COMMUNE, DISTRICT, PROVINCE))]
    assert sorted(_reports()) == expected
    assert (first.units, first.created, first.queued) == (3, 3, 3)
    assert {job_id for _, job_id in queued} == {f"monthly-report-{i}" for i, _ in queued}

    queued.clear()
    again = create_monthly_reports(OCTOBER)
    assert (again.created, len(_reports())) == (0, 3)
    assert again.queued == 3  # still pending: queued again, never duplicated
    assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 3


def test_ready_reports_are_not_queued_again_and_one_unit_can_be_asked_for(october, queued):
    create_monthly_reports(OCTOBER, COMMUNE)
    assert [code for code, _, _ in _reports()] == [COMMUNE]
    db.session.execute(MonthlyReport.__table__.update().values(status="ready", storage_key="x", size=1))
    db.session.commit()
    queued.clear()

    run = create_monthly_reports(OCTOBER)
    assert (run.created, run.queued) == (2, 2)
    assert {code for code, _, status in _reports() if status == "pending"} == {DISTRICT, PROVINCE}


def test_failed_render_is_left_failed_then_rendered_when_asked_again(october, queued, monkeypatch, app):
    create_monthly_reports(OCTOBER, COMMUNE)
    report_id = queued[0][0]

    def broken(*args):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(jobs, "report_content", broken)
    with pytest.raises(RuntimeError):  # re-raised, so rq retries it
        render_monthly_report(report_id)
    report = db.session.get(MonthlyReport, report_id)
    assert report.status == "failed" and "font cache unavailable" in report.error
    assert report.storage_key is None

    monkeypatch.undo()
    monkeypatch.setattr("app.reports.services.enqueue", lambda func, *ids, job_id=None: func(*ids))
    run = create_monthly_reports(OCTOBER, COMMUNE)  # failed ones are queued again
    assert (run.created, run.queued) == (0, 1)
    db.session.refresh(report)
    assert report.status == "ready" and report.error is None and report.size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "YYYY-MM"),
        (["--month", "10/2026"], "YYYY-MM"),
        (["--month", "2999-01"], "tháng đã kết thúc"),
        (["--month", "2026-10", "--unit", "999.99.99.H99"], "999.99.99.H99"),
    ],
)
def test_cli_rejects_a_bad_month_or_unit_with_a_clear_error(app, args, message):
    result = app.test_cli_runner().invoke(args=["reports", "monthly", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert _reports() == []


def test_cli_makes_the_month_asked_for(app, october, queued):
    result = app.test_cli_runner().invoke(
        args=["reports", "monthly", "--month", "2026-10", "--unit", COMMUNE]
    )
    assert result.exit_code == 0, result.output
    assert "2026-10: 1 unit(s), 1 new report(s), 1 queued" in result.output
    assert _reports() == [(COMMUNE, "2026-10", "pending")]
    assert get_unit_by_code(COMMUNE).id == db.session.get(MonthlyReport, queued[0][0]).unit_id


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-27T10:00:00+00:00", "2026-11-28T01:00:00+07:00"),
        ("2026-11-30T17:59:00+00:00", "2026-12-01T01:00:00+07:00"),  # the 1st in Vietnam
        ("2026-12-31T18:30:00+00:00", "2027-01-02T01:00:00+07:00"),  # already past 01:00 on 1 Jan
    ],
)
def test_the_monthly_run_is_due_every_day_at_one_in_the_morning_vietnam_time(now, expected):
    """Daily, so the 1st makes last month's reports and a day the scheduler missed is caught up."""
    from croniter import croniter

    at = croniter(RUN_CRON, datetime.fromisoformat(now)).get_next(datetime)
    assert at == datetime.fromisoformat(expected)
    assert at.astimezone(UTC).time() == time(18, 0)
