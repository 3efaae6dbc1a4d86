"""Delivery use cases: deliveries written from the outbox, claimed per lane, sent, recorded.

Guarantees:
- exactly one delivery row per (outbox message, destination, kind): the outbox handler writes them in
  the transaction that marks the outbox message processed;
- in order per lane (one dossier, one destination): only the lane's head, its earliest undelivered
  delivery, is ever claimed, and a dead head blocks the lane until it is replayed;
- at least once: a delivery is `delivered` only after a 2xx; a worker that dies while holding a claim
  loses it when its lease ends, and the sweeper hands the lane to another worker. The lease is longer
  than the HTTP timeout, so a claim is never taken over while its request may still be on the wire.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.orm import joinedload

from app.core import uow
from app.core.db import utcnow
from app.dossiers.models import DossierEvent
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.sync import national_client, webhooks
from app.sync.models import NATIONAL, Delivery, DeliveryAttempt, WebhookSubscriber
from app.sync.transport import Outcome, post_json

log = logging.getLogger(__name__)
Lane = tuple[str, int | None]
_LANES_KEY = "sync_lanes_to_hand_over"


# --- Writing deliveries (outbox handler) --------------------------------------------------------


def _event_of(message: OutboxMessage) -> DossierEvent | None:
    """The event the message reports (messages written before they carried its id: the first event
    of a submission)."""
    if message.payload.get("event_id"):
        return db.session.get(DossierEvent, message.payload["event_id"])
    return db.session.scalar(
        select(DossierEvent)
        .where(DossierEvent.dossier_id == message.dossier_id)
        .order_by(DossierEvent.id)
        .limit(1)
    )


def _national_kinds(topic: str) -> tuple[str, ...]:
    return ("dossier",) if topic == "dossier.submitted" else ("dossier", "progress")


def create_deliveries(message: OutboxMessage) -> None:
    """Outbox handler: one delivery per destination (and per national message kind); flush only.
    The lanes are handed to workers once the outbox transaction commits."""
    subscribers = [
        s
        for s in db.session.scalars(select(WebhookSubscriber).order_by(WebhookSubscriber.id))
        if s.wants(message.topic)
    ]
    national = national_client.is_enabled() and message.dossier_id is not None
    if not subscribers and not national:
        return
    event = _event_of(message) if message.dossier_id else None
    common = {
        "topic": message.topic,
        "outbox_id": message.id,
        "dossier_id": message.dossier_id,
        "event_id": event.id if event else None,
        "dossier_state": event.to_state if event else None,
    }
    rows = []
    if national and event is not None:
        rows += [
            Delivery(destination=NATIONAL, kind=kind, message_id=f"evt-{message.id}-{kind}", **common)
            for kind in _national_kinds(message.topic)
        ]
    rows += [
        Delivery(
            destination=s.destination,
            subscriber_id=s.id,
            kind="event",
            message_id=f"evt-{message.id}",
            **common,
        )
        for s in subscribers
    ]
    db.session.add_all(rows)
    db.session.flush()
    _dispatch_after_commit({(row.destination, row.dossier_id) for row in rows})


def _dispatch_after_commit(lanes: set[Lane]) -> None:
    """Hand the lanes to workers once the transaction commits: one callback per transaction."""
    if not lanes:
        return
    pending = db.session.info.get(_LANES_KEY)
    if pending is None:
        pending = db.session.info[_LANES_KEY] = set()

        def hand_over() -> None:
            from app.sync.jobs import enqueue_lanes

            enqueue_lanes(sorted(db.session.info.pop(_LANES_KEY, pending), key=str))

        uow.after_commit(hand_over)
        uow.on_rollback(lambda: db.session.info.pop(_LANES_KEY, None))
    pending.update(lanes)


# --- Claiming and sending -----------------------------------------------------------------------


Request = tuple[str, bytes, dict[str, str]]


@dataclass(frozen=True)
class Claim:
    """A claimed delivery and what to send: the request, or why it can never be sent."""

    delivery_id: int
    attempt: int
    request: Request | None = None
    unsendable: str | None = None


def _lane_filter(destination: str, dossier_id: int | None):  # noqa: ANN202
    dossier = Delivery.dossier_id.is_(None) if dossier_id is None else Delivery.dossier_id == dossier_id
    return (Delivery.destination == destination, dossier, Delivery.state != "delivered")


def _lease() -> timedelta:
    config = current_app.config
    return timedelta(seconds=config["DELIVERY_TIMEOUT_SECONDS"] + config["DELIVERY_LEASE_MARGIN_SECONDS"])


def _is_blocked(head: Delivery, now: datetime) -> bool:
    if head.state == "dead":
        return True
    if head.state == "in_flight":
        return head.lease_until is not None and head.lease_until > now
    if head.subscriber is not None and head.subscriber.is_paused:
        return True
    return head.next_attempt_at > now


def relax_durability() -> None:
    """Delivery bookkeeping may skip the wait for the WAL flush (PostgreSQL `synchronous_commit`):
    a crash of the database server can lose only the last instants of bookkeeping, which means a
    message is sent again (allowed: at least once) or a claim is taken again (its lease), never a
    lost message: deliveries themselves are written by the outbox transaction, fully durable."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _build(delivery: Delivery) -> Request | str:
    builder = national_client.build_request if delivery.destination == NATIONAL else webhooks.build_request
    try:
        return builder(delivery)
    except national_client.UnsendableError as exc:
        return str(exc)


def claim_head(destination: str, dossier_id: int | None, now: datetime | None = None) -> Claim | None:
    """Claim the lane's head if it is due and build its request; None when the lane is empty,
    blocked or busy. The caller commits the claim in a unit of work of its own before sending."""
    now = now or utcnow()
    head_id = (
        select(Delivery.id)
        .where(*_lane_filter(destination, dossier_id))
        .order_by(Delivery.id)
        .limit(1)
        .scalar_subquery()
    )
    for _ in range(3):  # the head may be delivered by another worker meanwhile: look again
        head = db.session.scalar(
            select(Delivery)
            .options(joinedload(Delivery.subscriber))
            .where(Delivery.id == head_id)
            .with_for_update(skip_locked=True, of=Delivery)
        )
        if head is None:  # an empty lane, or another worker is claiming or recording the head
            return None
        if head.state == "delivered":
            continue
        if _is_blocked(head, now):
            return None
        built = _build(head)
        head.state, head.lease_until = "in_flight", now + _lease()
        head.attempts += 1
        claim = Claim(head.id, head.attempts, *((None, built) if isinstance(built, str) else (built, None)))
        relax_durability()
        return claim
    return None


def send(claim: Claim) -> Outcome | str:
    """Send a claimed delivery (no transaction is open meanwhile); the HTTP outcome, or the reason
    it can never be sent."""
    if claim.unsendable is not None:
        return claim.unsendable
    url, body, headers = claim.request
    return post_json(url, body, headers, current_app.config["DELIVERY_TIMEOUT_SECONDS"])


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: half the capped exponential delay, plus up to the other half."""
    config = current_app.config
    ceiling = min(
        config["DELIVERY_BACKOFF_MAX_SECONDS"], config["DELIVERY_BACKOFF_BASE_SECONDS"] * 2 ** (attempt - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not security)


@dataclass(frozen=True)
class Recorded:
    """A delivery as an attempt left it."""

    id: int
    state: str
    next_attempt_at: datetime
    last_error: str | None


def record(claim: Claim, outcome: Outcome | str, now: datetime | None = None) -> Recorded | None:
    """Write the result of an attempt (in the caller's unit of work). Ignored when the claim was lost
    meanwhile (its lease ran out and another worker took the delivery over). Returns the outcome,
    or None if ignored."""
    now = now or utcnow()
    delivery = db.session.get(Delivery, claim.delivery_id, with_for_update=True, populate_existing=True)
    if delivery is None or delivery.state != "in_flight" or delivery.attempts != claim.attempt:
        return None
    unsendable = isinstance(outcome, str)
    db.session.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            started_at=now,
            duration_ms=0 if unsendable else outcome.duration_ms,
            http_status=None if unsendable else outcome.status,
            error=outcome if unsendable else outcome.error,
            is_success=not unsendable and outcome.is_success,
        )
    )
    delivery.lease_until = None
    if not unsendable and outcome.is_success:
        delivery.state, delivery.delivered_at = "delivered", now
        delivery.last_status, delivery.last_error = outcome.status, None
    else:
        _record_failure(delivery, outcome, now)
    result = Recorded(delivery.id, delivery.state, delivery.next_attempt_at, delivery.last_error)
    if delivery.state != "dead":  # the admins' alert is written durably
        relax_durability()
    return result


def _record_failure(delivery: Delivery, outcome: Outcome | str, now: datetime) -> None:
    unsendable = isinstance(outcome, str)
    delivery.last_status = None if unsendable else outcome.status
    delivery.last_error = (outcome if unsendable else outcome.error or f"HTTP {outcome.status}")[:2000]
    delivery.first_failed_at = delivery.first_failed_at or now
    horizon = timedelta(hours=current_app.config["DELIVERY_RETRY_HOURS"])
    if unsendable or now - delivery.first_failed_at >= horizon:
        delivery.state, delivery.dead_at = "dead", now
        from app.sync.alerts import alert_admins

        alert_admins(delivery, now)
        log.warning("delivery %s (%s) is dead: %s", delivery.id, delivery.destination, delivery.last_error)
    else:
        delivery.state = "pending"
        delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))


# --- Replay, reconcile --------------------------------------------------------------------------


def replay(delivery_ids: list[int] | None = None) -> int:
    """Dead deliveries back to pending, due now (all of them when no ids are given)."""
    condition = [Delivery.state == "dead"]
    if delivery_ids is not None:
        condition.append(Delivery.id.in_(delivery_ids))
    lanes = set(
        db.session.execute(select(Delivery.destination, Delivery.dossier_id).where(*condition)).tuples()
    )
    now = utcnow()
    result = db.session.execute(
        update(Delivery)
        .where(*condition)
        .values(state="pending", next_attempt_at=now, first_failed_at=None, dead_at=None)
        .execution_options(synchronize_session=False)
    )
    _dispatch_after_commit(lanes)
    return result.rowcount


def resend_current_state(dossier_id: int, event: DossierEvent) -> Delivery:
    """A new national dossier message reporting the dossier's latest event (flush only)."""
    delivery = Delivery(
        destination=NATIONAL,
        kind="dossier",
        topic="sync.reconcile",
        message_id=f"rec-{uuid.uuid4().hex}",
        dossier_id=dossier_id,
        event_id=event.id,
        dossier_state=event.to_state,
    )
    db.session.add(delivery)
    db.session.flush()
    _dispatch_after_commit({(NATIONAL, dossier_id)})
    return delivery
