"""The rq chain: `start_schedule` enqueues a run now; the worker runs it and that link schedules the
next run on the 1st of next month; a second start while a link is alive does nothing."""

from __future__ import annotations

from app.reports.jobs import CHAIN, next_run_at, start_schedule
from tests.chains import run_first_link


def test_schedule_runs_now_then_waits_for_the_first_of_next_month(rq_worker):
    next_at = run_first_link(CHAIN, start_schedule)
    assert next_at == next_run_at()  # 01:00 on the 1st of next month, Vietnam time
