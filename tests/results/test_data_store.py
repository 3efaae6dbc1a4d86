"""A signed result is pushed to the citizen's personal data store once the result is ready: written
by the outbox handler, sent by the push job to a real HTTP server of ours on loopback, retried after
a failure with the same message id, every try in its delivery log; counted as pushed."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.dossiers.models import Dossier
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.services import dispatch_message
from app.results import datastore
from app.results.models import DataStorePush, SignedResult
from app.results.queries import original_electronic_clause, pushed_clause
from app.sync.transport import sign
from tests.factories import act
from tests.results.support import result_pdf
from tests.results.test_signing import _approve_with, _to_awaiting_approval
from tests.sync.receiver import Receiver


@pytest.fixture
def store(app, monkeypatch):
    receiver = Receiver()
    monkeypatch.setitem(app.config, "DATA_STORE_URL", receiver.url("/kho/ket-qua"))
    monkeypatch.setitem(app.config, "DATA_STORE_TOKEN", "kho-token")
    monkeypatch.setitem(app.config, "DATA_STORE_HMAC_KEY", "kho-secret")
    yield receiver
    receiver.down()


def _ready_with_signed_result(make_user, user):
    citizen = make_user("citizen", citizen_id="089190000777")
    dossier = _approve_with(_to_awaiting_approval(citizen, user), user, result_pdf())
    return act(dossier, "complete", user("tn.candang"))


def _handle_outbox(dossier) -> None:
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dossier_id == dossier.id, OutboxMessage.handler == "results"
        )
    ).all()
    assert rows  # written because a data store is configured
    dispatch_message(rows[-1].id)


def test_the_push_is_retried_until_the_store_takes_it_and_logged(
    signing, store, make_user, user, monkeypatch
):
    dossier = _ready_with_signed_result(make_user, user)
    _handle_outbox(dossier)
    push = db.session.scalar(select(DataStorePush).where(DataStorePush.dossier_id == dossier.id))
    assert push.state == "pending" and push.attempts == 0

    store.status = 503
    assert datastore.push_result(push.id) == "pending"
    db.session.refresh(push)
    assert push.attempts == 1 and push.last_status == 503 and push.next_attempt_at > utcnow()
    assert datastore.push_result(push.id) is None  # not due yet: nothing is sent
    assert dossier.id not in _pushed_ids()

    store.status = 200
    later = push.next_attempt_at + timedelta(seconds=1)
    monkeypatch.setattr("app.results.datastore.utcnow", lambda: later)
    assert datastore.push_result(push.id) == "delivered"
    db.session.refresh(push)
    assert [(a.http_status, a.is_success) for a in push.attempts_log] == [(503, False), (200, True)]

    (received,) = store.received("/kho/ket-qua")
    signed = db.session.scalar(select(SignedResult).where(SignedResult.dossier_id == dossier.id))
    body = received.json
    assert body["SoDinhDanh"] == "089190000777" and body["SoKetQua"] == signed.number
    assert hashlib.sha256(base64.b64decode(body["NoiDungTep"])).hexdigest() == signed.sha256 == body["MaBam"]
    assert received.headers["Authorization"] == "Bearer kho-token"
    assert received.message_id == push.message_id
    assert received.headers["X-Signature"] == sign(
        "kho-secret", received.headers["X-Timestamp"], received.body
    )
    assert dossier.id in _pushed_ids() and dossier.id in _original_ids()


def _pushed_ids() -> set[int]:
    return set(db.session.scalars(select(Dossier.id).where(pushed_clause())))


def _original_ids() -> set[int]:
    return set(db.session.scalars(select(Dossier.id).where(original_electronic_clause())))


def test_a_push_that_keeps_failing_past_the_horizon_is_dead_and_replayed(
    signing, store, make_user, user, monkeypatch
):
    dossier = _ready_with_signed_result(make_user, user)
    _handle_outbox(dossier)
    push = db.session.scalar(select(DataStorePush).where(DataStorePush.dossier_id == dossier.id))
    store.status = 500
    datastore.push_result(push.id)
    db.session.refresh(push)
    beyond = push.first_failed_at + timedelta(hours=73)
    monkeypatch.setattr("app.results.datastore.utcnow", lambda: beyond)
    assert datastore.push_result(push.id) == "dead"
    assert datastore.replay([push.id]) == 1
    db.session.refresh(push)
    assert push.state == "pending" and push.dead_at is None


def test_nothing_is_pushed_before_the_result_is_ready_or_without_a_store(
    signing, app, make_user, user, monkeypatch
):
    citizen = make_user("citizen", citizen_id="089190000778")
    dossier = _approve_with(_to_awaiting_approval(citizen, user), user, result_pdf())
    receiver = Receiver()
    monkeypatch.setitem(app.config, "DATA_STORE_URL", receiver.url("/kho"))
    try:
        message = OutboxMessage(
            topic="dossier.transitioned", handler="results", payload={}, dossier_id=dossier.id
        )
        assert datastore.create_pushes(message) == []  # approved, not yet ready for the citizen
    finally:
        receiver.down()
    monkeypatch.setitem(app.config, "DATA_STORE_URL", "")
    act(dossier, "complete", user("tn.candang"))
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.handler == "results", OutboxMessage.dossier_id == dossier.id
        )
    )
    assert list(rows) == []  # no data store configured: the handler gets no rows
