"""What the two rendering jobs (forms, tracking books) share: recording a failure and re-enqueueing
what is still not ready after a while (lost job, worker killed mid-render, retries exhausted)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from app.core import tx
from app.core.db import utcnow
from app.extensions import db
from app.jobs import enqueue

log = logging.getLogger(__name__)


def mark_failed(model: type, row_id: int, exc: Exception, what: str) -> None:
    """Record the error on a row that is not ready yet (status "failed"); the job then re-raises."""
    row = db.session.get(model, row_id)
    if row is not None and not row.is_ready:
        row.status, row.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        tx.commit()
    log.error("%s %s failed to render: %s", what, row_id, exc)


def reenqueue_unfinished(
    model: type, job: Callable[[int], None], job_prefix: str, older_than_seconds: int
) -> int:
    """Enqueue `job` again for every row of `model` not ready after `older_than_seconds`."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(model.id).where(model.status != "ready", model.created_at < cutoff).order_by(model.id)
        )
    )
    db.session.rollback()
    for row_id in ids:
        enqueue(job, row_id, job_id=f"{job_prefix}-{row_id}")
    return len(ids)
