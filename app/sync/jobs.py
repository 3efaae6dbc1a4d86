"""Delivery jobs: a job drains lanes (dossier + destination), each in order, then keeps taking other
due lanes for a while (one forked rq job sends many messages); a periodic sweeper enqueues every lane
whose head is due, so nothing waits on a lost job (crashed worker, Redis restart).

Each claim and each recorded attempt is a unit of work of its own, and no transaction is open while a
request is on the wire. At most one job per lane waits in the queue: a Redis mark (SET NX, dropped
when the job starts) stops duplicates; two jobs on one lane at once are harmless anyway (claims are
row locks).

The sweeper is periodic (every DELIVERY_SWEEP_SECONDS, app.jobs.schedule); `flask sync sweep` sweeps
once (cron-friendly, and what the embedded default without Redis relies on).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from app.core import uow
from app.core.db import utcnow
from app.extensions import db
from app.jobs import QUICK, enqueue, job
from app.sync.models import Delivery, WebhookSubscriber
from app.sync.services import Lane, claim_head, record, send

log = logging.getLogger(__name__)

CHUNK = 100  # lanes per job
JOB_SECONDS = 60  # a job in a worker keeps taking due lanes for at most this long


def _redis():  # noqa: ANN202
    return current_app.extensions.get("redis")


def _mark_key(lane: Lane) -> str:
    return f"sync-lane:{current_app.config['RQ_QUEUE']}:{lane[0]}:{lane[1]}"


def _drain(lane: Lane, deadline: float) -> int:
    """Send the lane's due deliveries in id order until it is empty, blocked or failing, or the
    deadline passes; a failure schedules the lane's retry. Returns the number delivered."""
    delivered = 0
    while time.monotonic() < deadline:
        with uow.unit_of_work():
            claim = claim_head(*lane)
        if claim is None:
            break
        outcome = send(claim)
        with uow.unit_of_work():
            delivery = record(claim, outcome)
        if delivery is None or delivery.state != "delivered":
            if delivery is not None and delivery.state == "pending":
                log.info(
                    "delivery %s failed (%s), retry at %s",
                    delivery.id,
                    delivery.last_error,
                    delivery.next_attempt_at,
                )
                enqueue_lane_at(lane, delivery.next_attempt_at)
            break
        delivered += 1
    return delivered


@job(queue=QUICK, timeout=JOB_SECONDS + 120, retry=(10, 60))
def deliver_lanes(lanes: list[Lane]) -> int:
    """Drain the given lanes; then, in a worker, keep draining other due lanes (as the sweeper
    finds them) while there are some and the time budget lasts, so one forked job sends many
    messages. Returns the number delivered."""
    from rq import get_current_job

    lanes = [tuple(lane) for lane in lanes]
    if _redis() is not None and lanes:
        _redis().delete(*[_mark_key(lane) for lane in lanes])
    deadline = time.monotonic() + JOB_SECONDS
    delivered, todo = 0, lanes
    while todo:
        sent = sum(_drain(lane, deadline) for lane in todo)
        delivered += sent
        if time.monotonic() >= deadline:
            enqueue_lanes(todo)  # whatever is left goes to a fresh job
            break
        if not sent or get_current_job() is None:
            break
        todo = due_lanes(utcnow(), limit=CHUNK)
        random.shuffle(todo)  # two workers stealing at once start at different lanes
    return delivered


def enqueue_lanes(lanes: list[Lane]) -> None:
    """Jobs for these lanes now, CHUNK lanes a job, at most one waiting job per lane; without
    Redis, deliver in-process."""
    redis = _redis()
    if redis is None:
        enqueue(deliver_lanes, list(lanes))
        return
    fresh = [lane for lane in lanes if redis.set(_mark_key(lane), "1", nx=True, ex=300)]
    for start in range(0, len(fresh), CHUNK):
        enqueue(deliver_lanes, fresh[start : start + CHUNK], job_id=f"sync-lanes-{uuid.uuid4().hex}")


def enqueue_lane_at(lane: Lane, when: datetime) -> None:
    """The lane's retry, scheduled (needs Redis; otherwise the next sweep finds it due)."""
    redis = _redis()
    if redis is None:
        return
    delay = max(timedelta(0), when - utcnow())
    if redis.set(_mark_key(lane), "1", nx=True, ex=int(delay.total_seconds()) + 300):
        enqueue(deliver_lanes, [lane], job_id=f"sync-lanes-{uuid.uuid4().hex}", delay=delay)


# --- The sweeper ---------------------------------------------------------------------------------


def due_lanes(now: datetime, limit: int = 5000) -> list[Lane]:
    """Lanes whose head is due: pending and past its retry time (subscriber not paused), or in flight
    with its lease run out (the worker died)."""
    earlier = aliased(Delivery)
    head = ~exists().where(
        earlier.destination == Delivery.destination,
        earlier.dossier_id == Delivery.dossier_id,
        earlier.state != "delivered",
        earlier.id < Delivery.id,
    )
    rows = db.session.execute(
        select(Delivery.destination, Delivery.dossier_id)
        .outerjoin(WebhookSubscriber, WebhookSubscriber.id == Delivery.subscriber_id)
        .where(
            or_(
                and_(Delivery.state == "pending", Delivery.next_attempt_at <= now),
                and_(Delivery.state == "in_flight", Delivery.lease_until <= now),
            ),
            or_(Delivery.subscriber_id.is_(None), WebhookSubscriber.is_paused.is_(False)),
            head,
        )
        .order_by(Delivery.id)
        .limit(limit)
    ).tuples()
    return list(dict.fromkeys(rows))


def sweep_once(now: datetime | None = None) -> int:
    """Enqueue every due lane; returns the number of lanes enqueued."""
    lanes = due_lanes(now or utcnow())
    if lanes:
        enqueue_lanes(lanes)
    return len(lanes)


@job(queue=QUICK, timeout=120)
def sweep_deliveries() -> int:
    """Periodic: one sweep."""
    count = sweep_once()
    if count:
        log.info("sweep enqueued %s lane(s)", count)
    return count
