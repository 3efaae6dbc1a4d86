"""Outbox: record after-commit work in the transaction, dispatch it by job once committed.

Handlers register per topic (notifications, national-portal sync ... register theirs); a message
with no handler is marked processed. Dispatch is idempotent: a processed message is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.core import tx
from app.core.db import utcnow
from app.extensions import db
from app.jobs import enqueue
from app.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
Handler = Callable[[OutboxMessage], None]
_handlers: dict[str, list[Handler]] = {}


def register_handler(topic: str, handler: Handler) -> None:
    """Idempotent: every app created in one process (tests, CLI) registers the same handlers."""
    handlers = _handlers.setdefault(topic, [])
    if handler not in handlers:
        handlers.append(handler)


def add_message(topic: str, payload: dict[str, Any], dossier_id: int | None = None) -> OutboxMessage:
    """Write an outbox row (flush only) and dispatch it after the surrounding commit."""
    message = OutboxMessage(topic=topic, payload=payload, dossier_id=dossier_id)
    db.session.add(message)
    db.session.flush()
    message_id = message.id
    tx.after_commit(lambda: enqueue(dispatch_message, message_id, job_id=f"outbox-{message_id}"))
    return message


def dispatch_message(message_id: int) -> None:
    """Job: run the handlers of one message, once. Earlier undelivered messages of the same dossier
    go first, so per-dossier order holds even when jobs run out of order."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.processed_at is not None:
        db.session.rollback()
        return
    if message.dossier_id is not None:
        earlier = db.session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.dossier_id == message.dossier_id,
                OutboxMessage.id < message.id,
                OutboxMessage.processed_at.is_(None),
            )
            .limit(1)
        )
        if earlier is not None:
            db.session.rollback()
            raise RuntimeError(f"outbox message {message_id} waits for earlier message {earlier}")
    message.attempts += 1
    try:
        for handler in _handlers.get(message.topic, []):
            handler(message)
    except Exception as exc:
        db.session.rollback()
        _record_failure(message_id, exc)
        raise
    message.processed_at = utcnow()
    tx.commit()
    log.info("outbox message %s (%s) processed", message_id, message.topic)


def _record_failure(message_id: int, exc: Exception) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is not None:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        tx.commit()


def sweep(older_than_seconds: int = 60) -> int:
    """Re-enqueue messages still unprocessed after a while (lost job, worker crash, Redis restart)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.processed_at.is_(None), OutboxMessage.created_at < cutoff)
            .order_by(OutboxMessage.id)
        )
    )
    db.session.rollback()
    for message_id in ids:
        enqueue(dispatch_message, message_id)
    return len(ids)
