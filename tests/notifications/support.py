"""Helpers for notification tests: reading the loopback mailbox, walking a birth registration."""

from __future__ import annotations

import email
import io
import time
from email.message import EmailMessage
from email.policy import default as default_policy

from sqlalchemy import select

from app.core.uow import unit_of_work
from app.extensions import db
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from app.workflow.documents import Files, Upload
from app.workflow.submission import add_documents
from tests.factories import PDF, act

BIRTH = "1.001193"  # đăng ký khai sinh: the commune receives, appraises and signs


class Mailbox:
    """The session's SMTP server seen from one test: messages are picked by recipient address."""

    def __init__(self, sink) -> None:
        self.sink = sink

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=default_policy)
            for e in list(self.sink.envelopes)
            if address in e.rcpt_tos
        ]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        """Poll until `count` messages reached `address` (the rq worker sends them)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{len(self.messages_to(address))} message(s) to {address} after {timeout}s")


def wait_until_settled(dossier_id: int, timeout: float = 30) -> list[Notification]:
    """Poll until the worker has dispatched every outbox message of the dossier and sent every
    notification, so the test leaves no job in flight; returns the notifications."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        undispatched = db.session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.dossier_id == dossier_id, OutboxMessage.processed_at.is_(None))
            .limit(1)
        )
        rows = list(
            db.session.scalars(
                select(Notification).where(Notification.dossier_id == dossier_id).order_by(Notification.id)
            )
        )
        if undispatched is None and all(n.status == "sent" for n in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"dossier {dossier_id}: notifications still pending after {timeout}s")


def with_subject(messages: list[EmailMessage], words: str) -> EmailMessage:
    matching = [m for m in messages if words in m["Subject"]]
    assert len(matching) == 1, [m["Subject"] for m in messages]
    return matching[0]


def body_of(message: EmailMessage) -> str:
    return message.get_content()


def walk_to_approved(dossier, user):
    """accept → assign → propose → approve, by the demo staff of xã Cần Đăng."""
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(dossier, "propose", user("cv.candang"))
    act(dossier, "approve", user("ld.candang"))
    return dossier


def attach_result(dossier, staff) -> None:
    """A result file attached by staff (an event of its own), as through the documents API."""
    with unit_of_work():
        add_documents(
            dossier, staff, Files(results=[Upload("result", "giay-khai-sinh.pdf", io.BytesIO(PDF))])
        )
