"""Periodic jobs on rq, which has no cron: a chain of self-scheduling links.

`JobChain.start()` enqueues a first link unless a live one exists; each run of the job asks
`reschedule_if_current()` at its end, and only the chain's current link (its job id is stored in
Redis under the chain's key, per rq queue) enqueues the next one, at `next_run()`. A run started any
other way (cron + the CLI command, a second `start()`) never forks the chain. The worker must run
with its scheduler (`python -m app.worker` does) for the delayed links.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

LIVE_STATUSES = ("queued", "scheduled", "started", "deferred")


class JobChain:
    def __init__(self, name: str, func: str, next_run: Callable[[], datetime | timedelta]) -> None:
        """`func` is the job's dotted path (rq imports it); `next_run` gives the next link's time
        or delay, asked when the current link finishes."""
        self.name, self.func, self.next_run = name, func, next_run

    @property
    def key(self) -> str:
        return f"{self.name}:chain:{current_app.config['RQ_QUEUE']}"

    @staticmethod
    def _redis():  # noqa: ANN205
        return current_app.extensions.get("redis")

    def current_job_id(self) -> str | None:
        value = self._redis().get(self.key)
        return value.decode() if value else None

    def reschedule_if_current(self) -> None:
        from rq import get_current_job

        job, redis = get_current_job(), self._redis()
        if job is None or redis is None or (redis.get(self.key) or b"").decode() != job.id:
            return
        self._enqueue_link(self.next_run())

    def _enqueue_link(self, when: datetime | timedelta | None) -> str:
        from app.jobs import get_queue

        job_id = f"{get_queue().name}-{self.name}-{uuid.uuid4().hex}"  # per queue: see app.jobs.enqueue
        if when is None or when == timedelta(0):
            get_queue().enqueue(self.func, job_id=job_id)
        elif isinstance(when, timedelta):
            get_queue().enqueue_in(when, self.func, job_id=job_id)
        else:
            get_queue().enqueue_at(when, self.func, job_id=job_id)
        self._redis().set(self.key, job_id)
        return job_id

    def start(self, command: str) -> bool:
        """Enqueue a link to run now unless a live link exists; False when it was already running.
        `command` names the cron alternative for the error without Redis."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        redis = self._redis()
        if redis is None:
            raise RuntimeError(f"REDIS_URL is not set: run `{command}` from cron instead")
        with redis.lock(f"{self.key}:lock", timeout=30):
            current = redis.get(self.key)
            if current:
                try:
                    if Job.fetch(current.decode(), connection=redis).get_status() in LIVE_STATUSES:
                        return False
                except NoSuchJobError:
                    pass
            self._enqueue_link(None)
        return True

    def forget(self) -> None:
        """Drop the chain's key (tests; an operator stopping the chain)."""
        redis = self._redis()
        if redis is not None:
            redis.delete(self.key)


def echo_start(start: Callable[[], bool]) -> None:
    """A CLI command's `--schedule`: start a chain and say whether it was already running."""
    import click

    try:
        click.echo("scheduled" if start() else "already scheduled")
    except RuntimeError as exc:  # no Redis: the message names the cron command instead
        raise click.ClickException(str(exc)) from exc
