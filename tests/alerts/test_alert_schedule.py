"""The rq chain: `start_schedule` enqueues one scan; the worker runs it and that link schedules the
next one ALERT_SCAN_MINUTES later; a second start while a link is alive does nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app

from app.alerts.jobs import CHAIN, start_schedule
from tests.chains import run_first_link


def test_schedule_chain_reschedules_itself_once(rq_worker):
    began = datetime.now(UTC)
    next_at = run_first_link(CHAIN, start_schedule)
    interval = timedelta(minutes=current_app.config["ALERT_SCAN_MINUTES"])
    assert began + interval - timedelta(seconds=1) <= next_at <= datetime.now(UTC) + interval
