"""What the rendering jobs (forms, tracking books, monthly reports) share: recording a failure and
re-enqueueing what is still not ready after a while (a push lost while Redis was down, retries run out)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.jobs import Job, enqueue

log = logging.getLogger(__name__)


def failure_recorder(model: type, what: str) -> Callable[[int, Exception], None]:
    """A job's `on_failure`: the row not ready yet says "failed" with the error (for operators)."""

    def record(row_id: int, exc: Exception) -> None:
        row = db.session.get(model, row_id)
        if row is not None and not row.is_ready:
            row.status, row.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        log.error("%s %s failed to render: %s", what, row_id, exc)

    return record


def reenqueue_unfinished(model: type, job: Job, job_prefix: str, older_than_seconds: int) -> int:
    """Enqueue `job` again for every row of `model` not ready after `older_than_seconds`, unless its
    job is still waiting or running."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(model.id).where(model.status != "ready", model.created_at < cutoff).order_by(model.id)
        )
    )
    for row_id in ids:
        enqueue(job, row_id, job_id=f"{job_prefix}-{row_id}", skip_if_live=True)
    return len(ids)
