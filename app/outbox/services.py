"""Outbox: facts recorded in the transaction that makes them true, handled by jobs once committed.

Each domain registers its handler for a topic under a name (notifications, official forms, sync);
`add_message` writes one row per handler that wants the fact, so a failing handler retries alone and
never holds up another. The rows of one dossier and handler (a lane) are handled in id order: the
job of a row handles the lane's earlier rows first, in the same transaction. A handler only adds
and flushes; the job's unit of work commits its rows together with "processed".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.jobs import QUICK, enqueue, job
from app.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handler:
    name: str
    handle: Callable[[OutboxMessage], None]
    wants: Callable[[dict[str, Any]], bool] | None = None  # None: every message of the topic


_handlers: dict[str, dict[str, Handler]] = {}


def register_handler(
    topic: str,
    name: str,
    handle: Callable[[OutboxMessage], None],
    wants: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Idempotent: every app created in one process (tests, CLI) registers the same handlers."""
    _handlers.setdefault(topic, {})[name] = Handler(name, handle, wants)


def handlers_of(topic: str) -> list[Handler]:
    return list(_handlers.get(topic, {}).values())


def add_message(topic: str, payload: dict[str, Any], dossier_id: int | None = None) -> list[OutboxMessage]:
    """Write the rows of one fact, one per handler that wants it (flush only); their jobs are
    enqueued once the surrounding unit of work commits."""
    rows = [
        OutboxMessage(topic=topic, handler=h.name, payload=payload, dossier_id=dossier_id)
        for h in handlers_of(topic)
        if h.wants is None or h.wants(payload)
    ]
    if not rows:
        return []
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        enqueue(dispatch_message, row.id, job_id=f"outbox-{row.id}")
    return rows


class HandlerFailed(Exception):
    """A handler raised; `message_id` names its row."""

    def __init__(self, message_id: int, cause: Exception) -> None:
        super().__init__(f"outbox message {message_id}: {type(cause).__name__}: {cause}")
        self.message_id = message_id


def _record_failure(message_id: int, exc: Exception) -> None:
    failed_id = exc.message_id if isinstance(exc, HandlerFailed) else message_id
    row = db.session.get(OutboxMessage, failed_id)
    if row is not None and row.processed_at is None:
        row.attempts += 1
        row.last_error = str(exc)[:2000]


@job(queue=QUICK, timeout=120, retry=(5, 30, 120, 600), on_failure=_record_failure)
def dispatch_message(message_id: int) -> int:
    """Handle one row and the unhandled rows before it in its lane, in order; returns how many.
    Rows are locked, so two jobs of one lane take turns and a row is handled once."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.processed_at is not None:
        return 0
    lane = select(OutboxMessage).where(
        OutboxMessage.handler == row.handler,
        OutboxMessage.processed_at.is_(None),
        OutboxMessage.id <= message_id,
    )
    if row.dossier_id is None:
        lane = lane.where(OutboxMessage.id == message_id)
    else:
        lane = lane.where(OutboxMessage.dossier_id == row.dossier_id)
    # Waits for another job of the lane to commit, then reads the rows as that job left them.
    locked = lane.order_by(OutboxMessage.id).with_for_update().execution_options(populate_existing=True)
    pending = [m for m in db.session.scalars(locked) if m.processed_at is None]
    for message in pending:
        _handle(message)
    return len(pending)


def _handle(message: OutboxMessage) -> None:
    handler = _handlers.get(message.topic, {}).get(message.handler)
    message.attempts += 1
    if handler is not None:
        try:
            handler.handle(message)
        except Exception as exc:
            raise HandlerFailed(message.id, exc) from exc
    message.processed_at = utcnow()
    log.info("outbox message %s (%s, %s) processed", message.id, message.topic, message.handler)


def sweep(older_than_seconds: int = 60) -> int:
    """Enqueue the lanes with rows still unhandled after a while (a push lost while Redis was down,
    a worker that died, retries run out): one job per lane, for its last unhandled row."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = (OutboxMessage.processed_at.is_(None), OutboxMessage.created_at < cutoff)
    lane_ends = select(func.max(OutboxMessage.id)).where(*stale, OutboxMessage.dossier_id.is_not(None))
    loose = select(OutboxMessage.id).where(*stale, OutboxMessage.dossier_id.is_(None))
    ids = sorted(
        [
            *db.session.scalars(lane_ends.group_by(OutboxMessage.dossier_id, OutboxMessage.handler)),
            *db.session.scalars(loose),
        ]
    )
    for message_id in ids:
        enqueue(dispatch_message, message_id, job_id=f"outbox-{message_id}", skip_if_live=True)
    return len(ids)
