"""Background jobs: rq on Redis in production and tests; in-process in the embedded default.

Jobs take ids, are idempotent, and are enqueued only after the transaction that asks for them
commits (see app.core.tx.after_commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300
RETRY_INTERVALS = [10, 60, 300]


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        from redis import Redis

        app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"])


def get_queue():  # noqa: ANN201
    from rq import Queue

    return Queue(current_app.config["RQ_QUEUE"], connection=current_app.extensions["redis"])


def enqueue(func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
    """Run `func(*args)` as a job. Without Redis it runs now, in this process; a failure is logged
    (not raised) because the caller's transaction is already committed and the periodic sweep
    retries whatever is left undone. `job_id` is made unique per queue (rq job ids are global in
    Redis, and several deployments or test runs may share one Redis)."""
    if "redis" in current_app.extensions:
        from rq import Retry

        queue = get_queue()
        queue.enqueue(
            func,
            *args,
            job_id=f"{queue.name}-{job_id}" if job_id else None,
            job_timeout=DEFAULT_TIMEOUT,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        )
        return
    try:
        func(*args)
    except Exception:  # the in-process stand-in for a worker: log like a worker would
        log.exception("in-process job %s%r failed", getattr(func, "__name__", func), args)
