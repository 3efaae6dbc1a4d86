"""Turning dossier events into notifications for the applicant (Mẫu 01–04, result).

`notify_transition` is the outbox handler of "dossier.transitioned": it runs inside the outbox
dispatch transaction, only adds rows and flushes, and asks for `send_notification` after commit.
It is idempotent: an event notifies at most once per channel (unique `event_id, channel`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.core.db import utcnow
from app.core.time import parse_instant
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.jobs import enqueue
from app.notifications.jobs import send_notification
from app.notifications.messages import render_email, render_sms
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from app.procedures.queries import transition_of_message

log = logging.getLogger(__name__)


def wants(payload: dict[str, Any]) -> bool:
    """An outbox row is written for the notifications only of a transition that declares one."""
    return notification_of(payload) is not None


def notification_of(payload: dict[str, Any]) -> str | None:
    transition = transition_of_message(payload)
    return transition.effects.notify if transition is not None else None


def notify_transition(message: OutboxMessage) -> None:
    """Outbox handler: write the applicant's e-mail / SMS for a transition that declares one."""
    kind = notification_of(message.payload)
    if kind is None or message.dossier_id is None:
        return
    dossier = db.session.get(Dossier, message.dossier_id)
    if dossier is None or not recipients(dossier):
        return
    event = find_transition_event(dossier.id, message.payload)
    if event is None:
        log.warning("outbox message %s: no dossier event to notify about", message.id)
        return
    send_after_commit(create_notifications(dossier, event, kind))


def send_after_commit(notifications: list[Notification]) -> None:
    """Enqueue the sending of these (flushed) rows once the caller's transaction commits."""
    for notification in notifications:
        enqueue(send_notification, notification.id, job_id=f"notification-{notification.id}")


def email_staff(
    emails: list[str], subject: str, body: str, kind: str, dossier_id: int | None
) -> list[Notification]:
    """E-mails to staff (unit leaders, administrators): written now (flush only), sent by job after
    the caller commits."""
    rows = [
        Notification(
            dossier_id=dossier_id, kind=kind, channel="email", recipient=e, subject=subject, body=body
        )
        for e in emails
    ]
    db.session.add_all(rows)
    db.session.flush()
    send_after_commit(rows)
    return rows


def find_transition_event(dossier_id: int, payload: dict[str, Any]) -> DossierEvent | None:
    """The event an outbox payload reports: by `event_id` when the payload carries it, otherwise the
    event of that transition recorded at the payload's instant (the engine writes both with one clock)."""
    if payload.get("event_id"):
        return db.session.get(DossierEvent, payload["event_id"])
    query = select(DossierEvent).where(
        DossierEvent.dossier_id == dossier_id, DossierEvent.transition == payload.get("transition")
    )
    if payload.get("at"):
        query = query.where(DossierEvent.created_at == parse_instant(payload["at"]))
    return db.session.scalar(query.order_by(DossierEvent.id.desc()).limit(1))


def recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(channel, address) pairs: e-mail if the applicant gave one, SMS if they gave a phone."""
    found = []
    if dossier.applicant_email and dossier.applicant_email.strip():
        found.append(("email", dossier.applicant_email.strip()))
    if dossier.applicant_phone and dossier.applicant_phone.strip():
        found.append(("sms", dossier.applicant_phone.strip()))
    return found


def create_notifications(dossier: Dossier, event: DossierEvent, kind: str) -> list[Notification]:
    """Add the missing notifications of one event (flush only); channels already written are skipped."""
    done = set(db.session.scalars(select(Notification.channel).where(Notification.event_id == event.id)))
    created = []
    for channel, recipient in recipients(dossier):
        if channel in done:
            continue
        if channel == "email":
            rendered = render_email(kind, dossier, event)
            subject, body = rendered.subject, rendered.body
        else:
            subject, body = None, render_sms(kind, dossier, event)
        notification = Notification(
            dossier_id=dossier.id,
            event_id=event.id,
            kind=kind,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
        )
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    return created


def list_notifications(dossier_id: int) -> list[Notification]:
    """A dossier's notifications, oldest first (for staff and the citizen's timeline)."""
    query = select(Notification).where(Notification.dossier_id == dossier_id).order_by(Notification.id)
    return list(db.session.scalars(query))


def resend_unsent(older_than_seconds: int = 600, max_attempts: int = 10) -> int:
    """Re-enqueue notifications still not sent after a while: the enqueue after commit was lost
    (Redis down) or rq gave up retrying. A job still waiting or running is left alone."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(Notification.id)
            .where(
                Notification.status != "sent",
                Notification.created_at < cutoff,
                Notification.attempts < max_attempts,
            )
            .order_by(Notification.id)
        )
    )
    for notification_id in ids:
        enqueue(
            send_notification, notification_id, job_id=f"notification-{notification_id}", skip_if_live=True
        )
    return len(ids)
