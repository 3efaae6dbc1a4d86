"""Dead-lettering: past the retry horizon a delivery goes dead, blocks its lane (order holds),
alerts the admins, and is sent again, with what queued behind it, when replayed. A national message
that fails its schema is dead at once and never sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.sync.models import NATIONAL, Delivery
from app.sync.services import claim_head, record, send
from app.sync.subscribers import create_subscriber
from tests.sync.support import deliveries, dossier_with_events, first_arrivals, outbox_order, wait_for_states
from tests.web import csrf_token, sign_in

pytestmark = pytest.mark.usefixtures("sync_app")


def test_past_the_horizon_a_delivery_is_dead_alerts_admins_and_replays_in_order(
    client, receiver, make_user, user
):
    admin = make_user("admin", email="sync-admin@example.vn")
    subscriber, _ = create_subscriber(
        "Hệ thống D", receiver.url("/hook/dead"), ["dossier.submitted", "dossier.transitioned"]
    )
    receiver.status = 500
    dossier = dossier_with_events(make_user("citizen"), user)
    wait_for_states({"pending": 3}, subscriber_id=subscriber.id)
    # The horizon (72 h) has passed for the lane's head: its next failure makes it dead.
    head = deliveries(subscriber_id=subscriber.id)[0]
    db.session.execute(
        update(Delivery).where(Delivery.id == head.id).values(first_failed_at=utcnow() - timedelta(hours=73))
    )
    db.session.commit()
    rows = wait_for_states({"dead": 1, "pending": 2}, subscriber_id=subscriber.id)
    assert rows[0].id == head.id and rows[0].last_status == 500
    assert all(r.attempts == 0 for r in rows[1:])  # blocked behind the dead head, never sent out of order
    alerts = db.session.scalars(select(Notification).where(Notification.kind == "sync_dead")).all()
    assert admin.email in {a.recipient for a in alerts}

    receiver.status = 200
    sign_in(client, "admin")
    page = client.get(f"/admin/sync?code={dossier.code}").get_data(as_text=True)
    assert 'id="dead-alert"' in page and 'data-status="dead"' in page
    token = csrf_token(client, "/admin/sync")
    assert client.post("/admin/sync/replay", data={"delivery_id": str(head.id)}).status_code == 400  # no CSRF
    response = client.post("/admin/sync/replay", data={"delivery_id": str(head.id), "csrf_token": token})
    assert response.status_code == 302

    wait_for_states({"delivered": 3}, subscriber_id=subscriber.id)
    ids = first_arrivals(receiver.wait_for("/hook/dead", 3))
    assert ids == sorted(ids, key=outbox_order) and len(ids) == 3


def test_a_national_message_failing_its_schema_is_dead_and_never_sent(receiver, make_user, user, monkeypatch):
    from app.national import messages

    dossier = dossier_with_events(make_user("citizen"), user)
    wait_for_states({"delivered": 5})
    receiver.requests.clear()
    event = dossier.events[-1]
    later = utcnow() + timedelta(hours=1)
    db.session.add(
        Delivery(
            destination=NATIONAL,
            kind="dossier",
            topic="test",
            message_id="bad-1",
            dossier_id=dossier.id,
            event_id=event.id,
            next_attempt_at=later,
        )
    )
    db.session.commit()
    real = messages.build_dossier_message
    monkeypatch.setattr(messages, "build_dossier_message", lambda d, e: {**real(d, e), "TrangThaiHoSo": 42})

    claim = claim_head(NATIONAL, dossier.id, now=later)
    delivery = record(claim, send(claim), now=later)

    assert delivery.state == "dead"
    assert "TrangThaiHoSo" in delivery.last_error
    assert receiver.received("/national") == []
