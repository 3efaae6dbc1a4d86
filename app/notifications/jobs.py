"""The sending job. Delivery is at least once: a crash between sending and committing "sent"
sends again on retry; a row already "sent" is never sent again."""

from __future__ import annotations

import logging

from flask import current_app

from app.core.db import utcnow
from app.extensions import db
from app.jobs import QUICK, job
from app.notifications.channels import get_channel
from app.notifications.models import Notification

log = logging.getLogger(__name__)


def _record_failure(notification_id: int, exc: Exception) -> None:
    """The row says "failed" (attempts, last_error) until a retry sends it."""
    notification = db.session.get(Notification, notification_id)
    if notification is not None and not notification.is_sent:
        notification.attempts += 1
        notification.status = "failed"
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]


@job(queue=QUICK, timeout=60, retry=(10, 60, 300), on_failure=_record_failure)
def send_notification(notification_id: int) -> None:
    """Send one notification; a transport failure is recorded and raised again, so rq retries it."""
    notification = db.session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.is_sent:
        return
    channel = get_channel(notification.channel, current_app.config)
    channel.send(notification.recipient, notification.subject, notification.body)
    notification.attempts += 1
    notification.status = "sent"
    notification.sent_at = utcnow()
    notification.last_error = None
    log.info("notification %s sent by %s", notification_id, notification.channel)
