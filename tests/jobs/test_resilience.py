"""Jobs that survive: Redis down while citizens submit and officers act, Redis restarted empty, a
worker killed mid-job. Every part is real: redis-server, the rq worker and the cron scheduler of the
app's entry points, PostgreSQL, S3 and the SMTP server; nobody runs a manual command."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications.models import Notification
from app.official_forms.models import IssuedForm
from app.outbox.models import OutboxMessage
from app.procedures import get_registry
from tests.factories import multipart_for, submit
from tests.jobs.support import wait_until
from tests.notifications.support import Mailbox

pytestmark = [pytest.mark.worker, pytest.mark.slow]
BIRTH = "1.001193"
COMMUNE = "000.21.30.H01"


def _unhandled(dossier_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.dossier_id == dossier_id, OutboxMessage.processed_at.is_(None))
    )


def test_with_redis_down_submit_and_accept_answer_normally_and_everything_follows(
    stack_app, redis_server, processes, make_user, auth_headers, smtp_server
):
    citizen = make_user("citizen", email="redis-down@example.vn", phone="0912345678")
    reception = make_user("reception", unit=COMMUNE)
    citizen_headers, reception_headers = auth_headers(citizen), auth_headers(reception)
    processes.start("app.worker")
    processes.start("app.scheduler")
    redis_server.stop()

    with stack_app.app_context():
        client = stack_app.test_client()
        body = multipart_for(get_registry().current(BIRTH))
        submitted = client.post(
            "/api/v1/dossiers", data=body, headers=citizen_headers, content_type="multipart/form-data"
        )
        assert submitted.status_code == 201, submitted.json
        code = submitted.json["code"]
        accepted = client.post(
            f"/api/v1/dossiers/{code}/transitions", json={"name": "accept"}, headers=reception_headers
        )
        assert accepted.status_code == 200, accepted.json
    dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
    time.sleep(2)
    assert _unhandled(dossier_id) == 4  # nothing could be pushed: it waits in the outbox

    redis_server.start()  # the same address, empty
    wait_until(lambda: _unhandled(dossier_id) == 0, 90, "the outbox handled once Redis is back")
    receipt = wait_until(
        lambda: db.session.scalar(
            select(IssuedForm).where(IssuedForm.dossier_id == dossier_id, IssuedForm.status == "ready")
        ),
        90,
        "Mẫu 01 rendered",
    )
    assert receipt.form_key == "receipt"
    wait_until(
        lambda: {n.status for n in _notifications(dossier_id)} == {"sent"}
        and len(_notifications(dossier_id)) == 2,
        90,
        "the acceptance e-mail and SMS sent",
    )
    assert code in Mailbox(smtp_server).wait_for(citizen.email, 1)[0]["Subject"]


def _notifications(dossier_id: int) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(Notification.dossier_id == dossier_id)))


def _lost_push(dossier) -> int:  # noqa: ANN001
    """An outbox row whose job was never pushed (as when Redis was down at its commit)."""
    event = dossier.events[-1]
    with unit_of_work():
        row = OutboxMessage(
            topic="dossier.transitioned",
            handler="sync",
            dossier_id=dossier.id,
            payload={"event_id": event.id, "transition": event.transition, "dossier_code": dossier.code},
        )
        db.session.add(row)
        db.session.flush()
        return row.id


def _handled(message_id: int) -> bool:
    db.session.rollback()
    return db.session.get(OutboxMessage, message_id).processed_at is not None


def test_after_a_redis_restart_the_periodic_jobs_run_again_on_their_own(redis_server, processes, make_user):
    dossier = submit(make_user("citizen"), BIRTH, COMMUNE)
    processes.start("app.worker")
    processes.start("app.scheduler")
    first = _lost_push(dossier)
    wait_until(lambda: _handled(first), 60, "the periodic outbox sweep ran")

    redis_server.stop()
    redis_server.start()  # empty: no job, no schedule is left in it
    second = _lost_push(dossier)
    wait_until(lambda: _handled(second), 60, "the periodic outbox sweep ran again after the restart")


def test_a_job_whose_worker_is_killed_runs_again_within_a_minute(stack_app, processes, tmp_path):
    from tests.jobs.probe import long_job

    doomed = processes.start("app.worker")
    with stack_app.app_context():
        from app.jobs import push

        assert push(long_job, str(tmp_path), job_id="probe-long-job")
    wait_until(lambda: (tmp_path / "started").exists(), 60, "the job started")
    processes.kill(doomed)  # kill -9, the work horse too

    began = time.monotonic()
    processes.start("app.worker")
    wait_until(lambda: (tmp_path / "finished").exists(), 120, "the job ran again")

    assert time.monotonic() - began < 60
