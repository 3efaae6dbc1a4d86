"""Helpers for notification tests: reading the loopback mailbox, walking a birth registration."""

from __future__ import annotations

import email
import io
import time
from email.message import EmailMessage
from email.policy import default as default_policy

from app.dossiers.services import Upload, add_documents
from app.workflow.engine import apply_transition
from tests.factories import PDF

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


def with_subject(messages: list[EmailMessage], words: str) -> EmailMessage:
    matching = [m for m in messages if words in m["Subject"]]
    assert len(matching) == 1, [m["Subject"] for m in messages]
    return matching[0]


def body_of(message: EmailMessage) -> str:
    return message.get_content()


def walk_to_approved(dossier, user):
    """accept → assign → propose → approve, by the demo staff of xã Cần Đăng."""
    apply_transition(dossier, "accept", user("tn.candang"))
    apply_transition(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    apply_transition(dossier, "propose", user("cv.candang"))
    apply_transition(dossier, "approve", user("ld.candang"))
    return dossier


def attach_result(dossier, staff) -> None:
    add_documents(dossier, staff, [Upload("result", "giay-khai-sinh.pdf", io.BytesIO(PDF))], is_result=True)
