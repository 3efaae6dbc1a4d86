"""The engine's contract: who may act, guards, one winner under concurrency, events and outbox."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.core.errors import ConflictError, InvalidTransitionError, PermissionDeniedError, ValidationError
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.workflow.engine import available_transitions
from tests.factories import act, later_appointment, submit

COMMUNE = "000.21.30.H01"
OTHER_COMMUNE = "000.22.30.H01"


def _code(stem: str) -> str:
    from app.procedures import get_registry

    return next(p.code for p in get_registry().all() if p.source_file.endswith(f"{stem}.yaml"))


@pytest.fixture
def citizen(make_user):
    return make_user("citizen")


@pytest.fixture
def birth(citizen):
    return submit(citizen, _code("birth_registration"))


def test_reception_of_the_receiving_unit_sees_accept(birth, user, make_user):
    names = {t.name for t in available_transitions(birth, user("tn.candang"))}
    assert {"accept", "request_supplement", "refuse"} <= names
    assert available_transitions(birth, make_user("reception", unit=OTHER_COMMUNE)) == []


def test_staff_of_another_unit_cannot_act(birth, make_user):
    with pytest.raises(PermissionDeniedError):
        act(birth, "accept", make_user("reception", unit=OTHER_COMMUNE))


def test_wrong_role_cannot_act(birth, user):
    with pytest.raises(PermissionDeniedError):
        act(birth, "accept", user("cv.candang"))


def test_transition_not_open_in_this_state_is_a_conflict(birth, user):
    with pytest.raises(InvalidTransitionError):
        act(birth, "approve", user("ld.candang"))


def test_unknown_transition_is_rejected_with_the_known_names(birth, user):
    with pytest.raises(ValidationError) as info:
        act(birth, "teleport", user("tn.candang"))
    assert "accept" in info.value.details["transition"]


def test_supplement_request_lists_every_item_and_needs_a_reason(birth, user):
    with pytest.raises(ValidationError) as info:
        act(birth, "request_supplement", user("tn.candang"), {"items": []})
    assert set(info.value.details) == {"items", "comment"}
    dossier = act(
        birth,
        "request_supplement",
        user("tn.candang"),
        {"items": ["Giấy chứng sinh bản chính", "CCCD của mẹ"], "comment": "Thiếu giấy tờ"},
    )
    assert dossier.national_status == 5 and dossier.received_at is None and dossier.due_at is None
    event = dossier.events[-1]
    assert event.payload["items"] == ["Giấy chứng sinh bản chính", "CCCD của mẹ"]
    assert event.comment == "Thiếu giấy tờ"


def test_accept_starts_clock_opens_step_and_writes_event_and_outbox(birth, user):
    officer = user("tn.candang")
    dossier = act(birth, "accept", officer, {"comment": "Đủ hồ sơ"})
    assert dossier.national_status == 2 and dossier.version == 2  # one transition, one version step
    assert dossier.received_at is not None and dossier.due_at is not None
    assert dossier.appointment_at == dossier.due_at
    [step] = dossier.steps
    assert step.unit.code == COMMUNE and step.due_at == dossier.due_at and step.given_by_id == officer.id
    event = dossier.events[-1]
    assert (event.transition, event.from_state, event.to_state, event.actor_id) == (
        "accept",
        "submitted",
        "accepted",
        officer.id,
    )
    assert event.actor_unit_id == officer.unit_id
    rows = db.session.execute(
        select(OutboxMessage.topic, OutboxMessage.handler).where(OutboxMessage.dossier_id == dossier.id)
    ).all()
    assert sorted(rows) == [  # one row per handler that has something to do
        ("dossier.submitted", "sync"),
        ("dossier.transitioned", "notifications"),  # the e-mail and SMS of the acceptance
        ("dossier.transitioned", "official_forms"),  # Mẫu 01
        ("dossier.transitioned", "sync"),
    ]


def test_extension_sets_new_appointment_once_and_keeps_legal_due(birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    due = dossier.due_at
    new_at = later_appointment(dossier)
    dossier = act(
        dossier, "extend", user("ld.candang"), {"comment": "Cần xác minh thêm", "new_appointment_at": new_at}
    )
    assert dossier.is_extended and dossier.due_at == due
    assert dossier.appointment_at == datetime.fromisoformat(new_at)
    with pytest.raises(ValidationError) as info:
        act(
            dossier,
            "extend",
            user("ld.candang"),
            {"comment": "Lần hai", "new_appointment_at": later_appointment(dossier)},
        )
    assert "transition" in info.value.details


def test_stale_expected_version_is_a_conflict(birth, user):
    with pytest.raises(ConflictError):
        act(birth, "accept", user("tn.candang"), expected_version=birth.version + 1)


@pytest.mark.committed  # threads of its own, each with its own connection
def test_fifty_parallel_conflicting_transitions_exactly_one_wins(app, birth, user):
    code, officer_id = birth.code, user("tn.candang").id
    db.session.commit()
    barrier = threading.Barrier(50)
    results: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        with app.app_context():
            from app.auth.models import User

            dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
            officer = db.session.get(User, officer_id)
            name = "accept" if index % 2 else "refuse"
            barrier.wait()
            try:
                act(dossier, name, officer, {"comment": "Lý do"})
                outcome = "ok"
            except ConflictError:
                outcome = "conflict"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1 and results.count("conflict") == 49
    dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
    transitions = db.session.scalar(
        select(func.count())
        .select_from(DossierEvent)
        .where(DossierEvent.dossier_id == dossier_id, DossierEvent.transition != "submit")
    )
    assert transitions == 1


def test_outbox_rows_are_processed_by_the_real_worker(rq_worker, birth, user):
    act(birth, "accept", user("tn.candang"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.rollback()
        pending = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.processed_at.is_(None))
        )
        if pending == 0:
            break
        time.sleep(0.2)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(rows) == 4 and all(r.processed_at is not None and r.attempts == 1 for r in rows)
    sync = [r for r in rows if r.handler == "sync"]
    assert [r.topic for r in sync] == ["dossier.submitted", "dossier.transitioned"]
    assert sync[0].processed_at <= sync[1].processed_at  # one lane: in order
