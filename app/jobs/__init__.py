"""Background jobs: rq on Redis in production and tests; in-process in the embedded default.

Every job is declared once, where it is defined::

    @job(queue=QUICK, timeout=60, retry=(10, 60, 300), on_failure=record_failure)
    def send_notification(notification_id: int) -> None: ...

- `queue`: QUICK (notifications, deliveries, outbox dispatch: short, many) or HEAVY (PDF rendering,
  reports: long, few), so a long render never delays an e-mail; each queue has its own rq queue
  (`<RQ_QUEUE>-quick`, `<RQ_QUEUE>-heavy`) and workers may serve one or both.
- `timeout`: seconds before rq stops the job; `retry`: the delays of rq's retries after the first
  one, which is immediate (a worker that died mid-job: its job runs again as soon as the lease
  lapses, with no scheduler involved).
- `on_failure(*args, exc)`: runs in a unit of work of its own after the job's unit rolled back (the
  failure is recorded on the row), then the error goes on so rq retries.

A job takes ids, is idempotent, and runs inside one unit of work (`app.core.uow`). Every log line
written while it runs names its job id. `enqueue` never pushes inside an open transaction: the job
is pushed once the caller's unit commits; if Redis is down then, the push is logged and the
periodic sweeps (`app.jobs.schedule`) enqueue the work again. Periodic work runs on rq's cron
scheduler (`python -m app.scheduler`), which re-arms itself after a Redis restart.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, Protocol

from flask import Flask, current_app

from app.core import uow

log = logging.getLogger(__name__)

QUICK = "quick"
HEAVY = "heavy"
QUEUES = (QUICK, HEAVY)
LIVE_STATUSES = ("queued", "scheduled", "started", "deferred")

_current_job: ContextVar[str | None] = ContextVar("current_job", default=None)
# Queues whose jobs, without Redis, are not run in this process for now (see `held`).
_held_queues: ContextVar[frozenset[str]] = ContextVar("held_queues", default=frozenset())


@dataclass(frozen=True)
class JobSpec:
    queue: str
    timeout: int
    retry: tuple[int, ...] = ()
    on_failure: Callable[..., None] | None = None


class Job(Protocol):
    spec: JobSpec
    __name__: str

    def __call__(self, *args: Any) -> Any: ...


def job(
    *,
    queue: str,
    timeout: int,
    retry: tuple[int, ...] = (),
    on_failure: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Any]], Job]:
    """Declare a job (see the module docstring)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown job queue {queue!r}; expected one of {QUEUES}")
    spec = JobSpec(queue, timeout, tuple(retry), on_failure)

    def decorate(func: Callable[..., Any]) -> Job:
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            token = _current_job.set(_job_id_now(func))
            try:
                try:
                    with uow.unit_of_work():
                        return func(*args, **kwargs)
                except Exception as exc:
                    log.warning("%s%r failed: %s: %s", func.__name__, args, type(exc).__name__, exc)
                    if spec.on_failure is not None:
                        with uow.unit_of_work():
                            spec.on_failure(*args, exc)
                    raise
            finally:
                _current_job.reset(token)

        run.spec = spec  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


def _job_id_now(func: Callable[..., Any]) -> str:
    from rq import get_current_job

    current = get_current_job()
    return current.id if current is not None else f"inline-{func.__name__}-{uuid.uuid4().hex[:8]}"


def current_job_id() -> str | None:
    """The id of the job running in this context, if any (the log filter prints it)."""
    return _current_job.get()


class JobIdFilter(logging.Filter):
    """Adds `job` to every log record: "[job <id>] " while a job runs, "" otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        job_id = _current_job.get()
        record.job = f"[job {job_id}] " if job_id else ""
        return True


# --- queues and enqueueing ----------------------------------------------------------------------


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        from redis import Redis

        app.extensions["redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
    from app.jobs.schedule import jobs_cli

    app.cli.add_command(jobs_cli)


def queue_name(kind: str) -> str:
    return f"{current_app.config['RQ_QUEUE']}-{kind}"


def get_queue(kind: str = QUICK):  # noqa: ANN201
    from rq import Queue

    return Queue(queue_name(kind), connection=current_app.extensions["redis"])


def enqueue(
    job: Job,
    *args: Any,
    job_id: str | None = None,
    delay: timedelta | None = None,
    skip_if_live: bool = False,
) -> None:
    """Run `job(*args)` once the current unit of work commits: pushed to its rq queue, or, without
    Redis, run in this process right after the commit (a delayed job then waits for the next sweep).

    `job_id` names the job (made unique per queue prefix, as rq ids are global in a Redis shared by
    deployments and test runs); with `skip_if_live`, a job of that id still waiting or running is
    left as it is (the sweeps use it). A push that fails is logged; the sweeps retry it."""
    uow.after_commit(lambda: push(job, *args, job_id=job_id, delay=delay, skip_if_live=skip_if_live))


def push(
    job: Job,
    *args: Any,
    job_id: str | None = None,
    delay: timedelta | None = None,
    skip_if_live: bool = False,
) -> bool:
    """Push now (no transaction involved). True when the job was pushed or ran."""
    redis = current_app.extensions.get("redis")
    if redis is None:
        if delay is None and job.spec.queue not in _held_queues.get():
            _run_in_process(job, args)
            return True
        return False
    from redis.exceptions import RedisError

    full_id = f"{current_app.config['RQ_QUEUE']}-{job_id}" if job_id else None
    try:
        if skip_if_live and full_id and _is_live(full_id, redis):
            return False
        queue = get_queue(job.spec.queue)
        options = {"job_id": full_id, "job_timeout": job.spec.timeout, "retry": _retry(job.spec)}
        if delay is not None and delay > timedelta(0):
            queue.enqueue_in(delay, job, *args, **options)
        else:
            queue.enqueue(job, *args, **options)
        return True
    except RedisError as exc:
        log.warning(
            "job %s%r not enqueued (%s); the periodic sweeps will enqueue it", job.__name__, args, exc
        )
        return False


@contextmanager
def held(*queues: str) -> Iterator[None]:
    """Within the block (this context only), jobs of `queues` that would run in this process (no
    Redis: the embedded default) are left undone, as a delayed job is, for the periodic sweeps or
    their commands to pick up (`flask official-forms render-pending`). With Redis nothing changes.
    For bulk writers such as the demo history, which would otherwise render thousands of forms."""
    token = _held_queues.set(_held_queues.get() | frozenset(queues))
    try:
        yield
    finally:
        _held_queues.reset(token)


def _retry(spec: JobSpec):  # noqa: ANN202
    from rq import Retry

    return Retry(max=len(spec.retry) + 1, interval=[0, *spec.retry])


def _is_live(full_id: str, redis: Any) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    try:
        return RqJob.fetch(full_id, connection=redis).get_status() in LIVE_STATUSES
    except NoSuchJobError:
        return False


def _run_in_process(job: Job, args: tuple[Any, ...]) -> None:
    """The embedded default's stand-in for a worker: run now, log a failure like a worker would."""
    try:
        job(*args)
    except Exception:
        log.exception("in-process job %s%r failed", job.__name__, args)
