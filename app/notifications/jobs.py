"""The sending job. Delivery is at least once: a crash between sending and committing "sent"
sends again on retry; a row already "sent" is never sent again."""

from __future__ import annotations

import logging

from flask import current_app

from app.core import tx
from app.core.db import utcnow
from app.extensions import db
from app.notifications.channels import get_channel
from app.notifications.models import Notification

log = logging.getLogger(__name__)


def send_notification(notification_id: int) -> None:
    """Job: send one notification. On failure the row says "failed" (attempts, last_error) and the
    error is raised again, so rq retries it (app.jobs enqueues with Retry)."""
    notification = db.session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.is_sent:
        db.session.rollback()
        return
    notification.attempts += 1
    channel_name = notification.channel
    try:
        channel = get_channel(channel_name, current_app.config)
        channel.send(notification.recipient, notification.subject, notification.body)
    except Exception as exc:  # any transport failure: record it, then let the job fail and retry
        notification.status = "failed"
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        tx.commit()
        log.warning("notification %s (%s) failed: %s", notification_id, channel_name, exc)
        raise
    notification.status = "sent"
    notification.sent_at = utcnow()
    notification.last_error = None
    tx.commit()
    log.info("notification %s sent by %s", notification_id, channel_name)
