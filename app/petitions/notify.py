"""Telling the petitioner that their petition has been answered: the outbox handler of
"petition.answered" writes one e-mail notification (app.notifications) and asks for its sending
after commit. A private answer is in the e-mail itself, which only the petitioner receives; a
public one is linked. Idempotent: a petition is notified once (`answer_notification_id`)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale, gettext

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import send_after_commit
from app.outbox.models import OutboxMessage
from app.petitions.models import Petition

log = logging.getLogger(__name__)
KIND = "petition_answered"


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def render_answer_email(petition: Petition) -> tuple[str, str]:
    """(subject, body) in Vietnamese: jobs run outside any request, so the locale is explicit."""
    with force_locale("vi"):
        subject = gettext("Phản ánh, kiến nghị %(code)s đã được trả lời", code=petition.code)
        # the template alone: no request (hence no page context) in a job
        body = current_app.jinja_env.get_template("petitions/email/answered.txt").render(
            petition=petition,
            follow_link=f"{_base_url()}/petitions/follow/{petition.code}",
            lookup_link=f"{_base_url()}/petitions/lookup?code={petition.code}",
            public_link=f"{_base_url()}/petitions/{petition.code}",
        )
    return subject, body


def notify_answered(message: OutboxMessage) -> None:
    petition = db.session.get(Petition, (message.payload or {}).get("petition_id"))
    if petition is None or not petition.is_answered or petition.answer_notification_id is not None:
        return
    if not (petition.email or "").strip():
        log.info("petition %s answered; no e-mail address to tell", petition.code)
        return
    subject, body = render_answer_email(petition)
    notification = Notification(
        dossier_id=petition.dossier_id,
        kind=KIND,
        channel="email",
        recipient=petition.email.strip(),
        subject=subject,
        body=body,
    )
    db.session.add(notification)
    db.session.flush()
    petition.answer_notification_id = notification.id
    send_after_commit([notification])
