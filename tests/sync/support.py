"""Helpers of the delivery tests: dossiers with a few events, polling the database, order checks."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import select

from app.extensions import db
from app.sync.models import Delivery
from tests.factories import act, submit

BIRTH = "1.001193"  # đăng ký khai sinh: the commune receives, appraises and signs


def dossier_with_events(citizen, user):
    """Submitted, accepted, assigned: three outbox messages, in that order."""
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    return dossier


def deliveries(**filters) -> list[Delivery]:
    db.session.rollback()
    query = select(Delivery).order_by(Delivery.id)
    for name, value in filters.items():
        query = query.where(getattr(Delivery, name) == value)
    return list(db.session.scalars(query))


def wait_for_states(expected: dict[str, int], timeout: float = 30, **filters) -> list[Delivery]:
    """Poll until the deliveries matching `filters` count `expected` per state (e.g. {"delivered": 6})."""
    deadline = time.monotonic() + timeout
    while True:
        rows = deliveries(**filters)
        counts = {state: sum(1 for r in rows if r.state == state) for state in expected}
        if counts == expected:
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries {counts} (all: {[r.state for r in rows]}), expected {expected}")
        time.sleep(0.1)


def outbox_order(message_id: str) -> tuple[int, int]:
    """Sort key of a message id: outbox id, then dossier message before progress message."""
    parts = message_id.split("-")
    return int(parts[1]), 1 if parts[-1] == "progress" else 0


def first_arrivals(received) -> list[str]:
    """Message ids in the order they first arrived (duplicates dropped, as a receiver would)."""
    return list(dict.fromkeys(r.message_id for r in received))


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute HMAC-SHA256 over timestamp + "." + body, compare in constant time."""
    expected = hmac.new(secret.encode(), headers["X-Timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["X-Signature"])
