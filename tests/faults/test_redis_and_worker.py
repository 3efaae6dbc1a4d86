"""Redis dies between an acceptance's commit and the push of its jobs, and when it is back the worker
is killed (SIGKILL, work horse included) in the middle of rendering Mẫu 01. Nobody runs a command:
the scheduler's sweeps and a fresh worker finish the work, and every outbox message, form and
notification of the dossier exists and was delivered exactly once (rows counted, e-mails counted on
the real SMTP server)."""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import pytest
from flask import has_request_context
from sqlalchemy import event, select, text

from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications.models import Notification
from app.official_forms.models import IssuedForm
from app.outbox.models import OutboxMessage
from app.procedures import get_registry
from tests.factories import multipart_for
from tests.jobs.support import wait_until
from tests.notifications.support import Mailbox

pytestmark = [pytest.mark.worker, pytest.mark.slow]
BIRTH = "1.001193"
COMMUNE = "000.21.30.H01"


@contextmanager
def redis_dies_after_next_commit(redis_server):  # noqa: ANN001, ANN201
    """The next request's transaction commits, then Redis is killed before any job is pushed (the
    unit of work pushes after the session's commit)."""
    fired = []

    def kill(session) -> None:  # noqa: ANN001
        if has_request_context() and not fired:
            fired.append(True)
            redis_server.stop()

    event.listen(db.session, "after_commit", kill)
    try:
        yield fired
    finally:
        event.remove(db.session, "after_commit", kill)


def _rows(model, dossier_id: int) -> list:  # noqa: ANN001
    db.session.rollback()
    return list(db.session.scalars(select(model).where(model.dossier_id == dossier_id)))


def _unhandled(dossier_id: int) -> int:
    return sum(1 for row in _rows(OutboxMessage, dossier_id) if row.processed_at is None)


def _rendering_now() -> bool:
    """A worker holds a form's row locked while it renders it (render_form: SELECT ... FOR UPDATE)."""
    db.session.rollback()
    return bool(
        db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction' AND query LIKE '%FROM issued_forms%FOR UPDATE%'"
            )
        )
    )


def _settled(dossier_id: int) -> bool:
    forms, notes = _rows(IssuedForm, dossier_id), _rows(Notification, dossier_id)
    return (
        _unhandled(dossier_id) == 0
        and bool(forms)
        and all(f.status == "ready" for f in forms)
        and len(notes) == 2
        and all(n.status == "sent" for n in notes)
    )


def test_redis_lost_after_commit_and_a_worker_killed_mid_render_deliver_everything_once(
    stack_app, redis_server, processes, make_user, auth_headers, smtp_server
):
    citizen = make_user("citizen", email=f"faults-{uuid.uuid4().hex[:8]}@example.vn", phone="0912345678")
    citizen_headers = auth_headers(citizen)
    reception_headers = auth_headers(make_user("reception", unit=COMMUNE))
    worker = processes.start("app.worker")
    processes.start("app.scheduler")
    client = stack_app.test_client()
    with stack_app.app_context():
        body = multipart_for(get_registry().current(BIRTH))
        submitted = client.post(
            "/api/v1/dossiers", data=body, headers=citizen_headers, content_type="multipart/form-data"
        )
    assert submitted.status_code == 201, submitted.json
    code = submitted.json["code"]
    dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
    wait_until(lambda: _unhandled(dossier_id) == 0, 60, "the submission's outbox handled")

    with redis_dies_after_next_commit(redis_server) as fired, stack_app.app_context():
        accepted = client.post(
            f"/api/v1/dossiers/{code}/transitions", json={"name": "accept"}, headers=reception_headers
        )
    assert accepted.status_code == 200, accepted.json  # the normal answer
    assert fired and _unhandled(dossier_id) > 0  # committed, never pushed

    redis_server.start()  # the same address, empty
    wait_until(_rendering_now, 90, "a worker rendering Mẫu 01", interval=0.02)
    processes.kill(worker)  # mid-render
    assert [f.status for f in _rows(IssuedForm, dossier_id)] == ["pending"]  # its work is lost
    processes.start("app.worker")
    wait_until(lambda: _settled(dossier_id), 120, "every message handled, form ready, notification sent")
    time.sleep(3)  # anything sent twice would arrive now

    messages = _rows(OutboxMessage, dossier_id)
    assert len({(m.topic, m.handler) for m in messages}) == len(messages)
    forms = _rows(IssuedForm, dossier_id)
    assert [f.form_key for f in forms] == ["receipt"] and forms[0].status == "ready"
    notes = _rows(Notification, dossier_id)
    assert sorted(n.channel for n in notes) == ["email", "sms"]
    assert all(n.status == "sent" for n in notes)
    mails = Mailbox(smtp_server).messages_to(citizen.email)
    assert len(mails) == 1 and code in mails[0]["Subject"]
    with stack_app.app_context():
        assert stack_app.extensions["storage"].exists(forms[0].storage_key)
