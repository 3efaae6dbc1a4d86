"""Delivery through the real rq workers to a real HTTP receiver on loopback: every event reaches each
destination, in order per dossier, signed; nothing is lost across a receiver outage, a worker killed
mid-delivery, or a paused subscriber."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from app.national.messages import validate
from app.sync.subscribers import create_subscriber, set_paused
from app.sync.webhooks import TOPICS
from tests.conftest import drop_queue_keys
from tests.sync.conftest import children
from tests.sync.support import (
    deliveries,
    dossier_with_events,
    first_arrivals,
    outbox_order,
    verify,
    wait_for_states,
)

pytestmark = pytest.mark.usefixtures("sync_app")


def _by_dossier(received, code_of) -> dict[str, list[str]]:
    lanes: dict[str, list[str]] = {}
    for message_id in first_arrivals(received):
        request = next(r for r in received if r.message_id == message_id)
        lanes.setdefault(code_of(request.json), []).append(message_id)
    return lanes


def _hook_code(body: dict) -> str:
    return body["dossier_code"]


def _national_code(body: dict) -> str:
    return body["DuLieu"]["MaHoSo"]


def assert_in_order(lanes: dict[str, list[str]], per_dossier: int) -> None:
    for code, ids in lanes.items():
        assert len(ids) == per_dossier, (code, ids)
        assert ids == sorted(ids, key=outbox_order), (code, ids)


def test_every_event_reaches_each_destination_in_order_signed(receiver, make_user, user):
    subscriber, secret = create_subscriber("Sở Tư pháp", receiver.url("/hook/a"), list(TOPICS))
    citizen = make_user("citizen")
    dossiers = [dossier_with_events(citizen, user) for _ in range(2)]

    wait_for_states({"delivered": 16})  # per dossier: national 1 + 2 + 2, webhook 3
    hooks = receiver.wait_for("/hook/a", 6)
    national = receiver.wait_for("/national", 10)

    assert_in_order(_by_dossier(hooks, _hook_code), 3)
    assert_in_order(_by_dossier(national, _national_code), 5)
    assert set(_by_dossier(hooks, _hook_code)) == {d.code for d in dossiers}
    for request in hooks:
        assert verify(secret, request.headers, request.body)
        assert request.json["id"] == request.message_id
        assert not verify(secret, request.headers, request.body.replace(b"dossier", b"d0ssier", 1))
        assert not verify("whsec_wrong", request.headers, request.body)
    for request in national:
        envelope = request.json
        assert request.headers["Authorization"] == "Bearer test-bearer-token"
        assert envelope["MaBanTin"] == request.message_id
        assert envelope["MaDinhDanhDV"] == request.headers["X-MaDinhDanhDV"] == "000.21.30.H01"
        validate(envelope["DuLieu"], "dossier" if envelope["LoaiBanTin"] == "HoSo" else "progress")
    last = [r.json["DuLieu"] for r in national if r.json["LoaiBanTin"] == "HoSo"][-1]
    assert last["TrangThaiHoSo"] == dossiers[-1].national_status


def test_receiver_outage_loses_nothing_and_keeps_order(receiver, make_user, user):
    create_subscriber("Hệ thống A", receiver.url("/hook/outage"), list(TOPICS))
    receiver.down()
    citizen = make_user("citizen")
    dossiers = [dossier_with_events(citizen, user) for _ in range(2)]
    deadline = time.monotonic() + 20
    while not [d for d in deliveries() if d.attempts >= 2]:  # retried with backoff while down
        assert time.monotonic() < deadline, "no retries while the receiver was down"
        time.sleep(0.1)
    assert receiver.received() == []
    receiver.up()

    wait_for_states({"delivered": 16, "dead": 0})
    assert_in_order(_by_dossier(receiver.wait_for("/hook/outage", 6), _hook_code), 3)
    assert_in_order(_by_dossier(receiver.wait_for("/national", 10), _national_code), 5)
    assert len(dossiers) == 2


def test_worker_killed_mid_delivery_loses_nothing(app, sync_workers, receiver, make_user, user):
    """The worker (and its work horse) die while a request is on the wire; another worker takes the
    delivery over once its lease has run out, handed to it by the sweeper. The session's sync worker
    is stopped meanwhile (SIGSTOP), so these two are the only workers."""
    from app.core.uow import unit_of_work
    from app.sync.jobs import sweep_once

    queue = f"sync-kill-{uuid.uuid4().hex[:8]}"
    app.config["RQ_QUEUE"] = queue
    sync_workers.signal_all(signal.SIGSTOP)
    survivor = None
    try:
        doomed = sync_workers.start(queue)
        subscriber, _ = create_subscriber("Hệ thống B", receiver.url("/hook/kill"), ["dossier.submitted"])
        receiver.hang_path = "/hook/kill"
        receiver.hang.set()
        dossier = dossier_with_events(make_user("citizen"), user)
        assert receiver.hanging.wait(20), "no delivery reached the receiver"
        for pid in [*children(doomed.pid), doomed.pid]:
            os.kill(pid, signal.SIGKILL)
        doomed.wait(10)
        receiver.hang.clear()
        receiver.release.set()  # the killed request completes on the receiver's side: a duplicate later

        survivor = sync_workers.start(queue)
        time.sleep(3.2)  # the lease: DELIVERY_TIMEOUT_SECONDS + DELIVERY_LEASE_MARGIN_SECONDS
        with unit_of_work():
            sweep_once()  # what the periodic sweeper does every DELIVERY_SWEEP_SECONDS

        rows = wait_for_states({"delivered": 6, "dead": 0})
        assert [r.attempts for r in rows if r.subscriber_id == subscriber.id] == [2]  # sent again
        assert_in_order(_by_dossier(receiver.wait_for("/hook/kill", 1), _hook_code), 1)
        assert_in_order(_by_dossier(receiver.wait_for("/national", 5), _national_code), 5)
        assert dossier.code in _by_dossier(receiver.received("/national"), _national_code)
    finally:
        if survivor is not None:
            survivor.terminate()
            survivor.wait(20)
        sync_workers.signal_all(signal.SIGCONT)
        drop_queue_keys(app.extensions["redis"], queue)


def test_paused_subscriber_gets_everything_it_missed_in_order(client, receiver, make_user, user):
    from tests.web import csrf_token, sign_in

    subscriber, _secret = create_subscriber("Hệ thống C", receiver.url("/hook/paused"), list(TOPICS))
    set_paused(subscriber, True)
    dossier_with_events(make_user("citizen"), user)
    wait_for_states({"delivered": 5, "pending": 3})
    time.sleep(1.5)  # a sweep passes: still nothing for the paused subscriber
    assert receiver.received("/hook/paused") == []

    sign_in(client, "admin")
    url = f"/admin/sync/subscribers/{subscriber.id}"
    response = client.post(f"{url}/paused", data={"paused": "0", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302

    wait_for_states({"delivered": 8})
    assert_in_order(_by_dossier(receiver.wait_for("/hook/paused", 3), _hook_code), 3)
