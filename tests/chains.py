"""Checks shared by the tests of periodic jobs (app.jobs.chain.JobChain) with the real rq worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.jobs import get_queue
from app.jobs.chain import JobChain


def run_first_link(chain: JobChain, start: Callable[[], bool]) -> datetime:
    """Start the chain, let the worker run its first link, and return when the next link is
    scheduled (UTC). Checks that a second start never forks the chain; removes the chain after."""
    redis, registry = current_app.extensions["redis"], ScheduledJobRegistry(queue=get_queue())
    try:
        assert start() is True
        first = chain.current_job_id()
        assert start() is False  # a live link exists: no second chain
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and chain.current_job_id() == first:
            time.sleep(0.2)
        second = chain.current_job_id()
        assert second != first, "the worker did not run the first link"
        while time.monotonic() < deadline and Job.fetch(first, connection=redis).get_status() != "finished":
            time.sleep(0.1)
        assert Job.fetch(first, connection=redis).get_status() == "finished"
        assert second in registry.get_job_ids()  # the next link waits in the scheduler
        assert start() is False
        return registry.get_scheduled_time(second).replace(tzinfo=UTC)
    finally:
        for job_id in registry.get_job_ids():
            if job_id.startswith(f"{get_queue().name}-{chain.name}-"):
                registry.remove(job_id, delete_job=True)
        chain.forget()
