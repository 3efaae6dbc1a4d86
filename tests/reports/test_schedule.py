"""The rq chain: `start_schedule` enqueues a run now; the worker runs it and that link schedules the
next run on the 1st of next month; a second start while a link is alive does nothing."""

from __future__ import annotations

import time

from flask import current_app
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.jobs import get_queue
from app.reports.jobs import CHAIN, start_schedule


def _chain_job_id(redis) -> str:
    value = redis.get(CHAIN.key)
    return value.decode() if value else ""


def test_schedule_runs_now_then_waits_for_the_first_of_next_month(rq_worker):
    redis, queue = current_app.extensions["redis"], get_queue()
    registry = ScheduledJobRegistry(queue=queue)
    try:
        assert start_schedule() is True
        first = _chain_job_id(redis)
        assert start_schedule() is False  # a live link exists: no second chain
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _chain_job_id(redis) == first:
            time.sleep(0.2)
        second = _chain_job_id(redis)
        assert second != first, "the worker did not run the first monthly run"
        while time.monotonic() < deadline and Job.fetch(first, connection=redis).get_status() != "finished":
            time.sleep(0.1)
        assert Job.fetch(first, connection=redis).get_status() == "finished"
        assert second in registry.get_job_ids()  # the next run waits in the scheduler
        assert start_schedule() is False
    finally:
        for job_id in registry.get_job_ids():
            if job_id.startswith("reports-monthly-"):
                registry.remove(job_id, delete_job=True)
        CHAIN.forget()
