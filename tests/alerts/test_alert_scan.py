"""The deadline scan: one alert and one e-mail per step and kind, to the acting unit's leaders only.

A birth registration accepted by Cần Đăng commune on Mon 7 Dec 2026 at 09:00 is due at 17:00 the
same day: 360 working minutes. Near due when under 40% (144 min) is left, i.e. after 14:36.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.alerts.jobs import scan_once, unit_leaders
from app.alerts.models import StepAlert
from app.extensions import db
from app.notifications.models import Notification
from tests.alerts.conftest import vn
from tests.factories import act, submit
from tests.notifications.support import BIRTH, Mailbox

pytestmark = pytest.mark.usefixtures("in_process_jobs")


@pytest.fixture
def mailbox(smtp_server):
    return Mailbox(smtp_server)


@pytest.fixture
def accepted(clock, make_user, user):
    """A birth registration accepted at 09:00, assigned to a specialist (the step is open)."""
    dossier = submit(make_user("citizen"), BIRTH)
    clock.at("2026-12-07 09:00")
    dossier = act(dossier, "accept", user("tn.candang"))
    return act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})


def _alerts(step_id: int) -> list[tuple[str, int | None]]:
    db.session.rollback()
    rows = db.session.execute(select(StepAlert.kind, StepAlert.leader_id).where(StepAlert.step_id == step_id))
    return sorted((kind, leader_id) for kind, leader_id in rows)


def test_near_due_then_overdue_alert_once_each(accepted, clock, leader, other_leader, mailbox):
    step = accepted.steps[0]
    assert step.due_at == vn("2026-12-07 17:00")

    clock.at("2026-12-07 14:00")  # 180 of 360 minutes left: not yet
    scan_once()
    assert _alerts(step.id) == []

    clock.at("2026-12-07 15:00")  # 120 minutes left: near due
    scan_once()
    alerts = _alerts(step.id)
    assert [kind for kind, _ in alerts] == ["near_due"]
    assert alerts[0][1] in {u.id for u in unit_leaders(step.unit_id) if u.email}
    [message] = mailbox.messages_to(leader.email)
    assert accepted.code in message["Subject"] and "sắp đến hạn" in message["Subject"]
    assert accepted.code in message.get_content()

    clock.at("2026-12-07 16:30")  # still near due: nothing more
    scan_once()
    scan_once()
    assert len(mailbox.messages_to(leader.email)) == 1
    assert [kind for kind, _ in _alerts(step.id)] == ["near_due"]

    clock.at("2026-12-08 08:00")  # overdue: a second alert, once
    scan_once()
    scan_once()
    assert [kind for kind, _ in _alerts(step.id)] == ["near_due", "overdue"]
    messages = mailbox.messages_to(leader.email)
    assert len(messages) == 2 and "quá hạn" in messages[1]["Subject"]
    assert mailbox.messages_to(other_leader.email) == []
    sent = db.session.scalars(select(Notification).where(Notification.recipient == leader.email)).all()
    assert sorted(n.kind for n in sent) == ["step_near_due", "step_overdue"]
    assert all(n.is_sent for n in sent)


def test_straight_to_overdue_sends_only_the_overdue_alert(accepted, clock, leader, mailbox):
    clock.at("2026-12-09 10:00")
    scan_once()
    assert [kind for kind, _ in _alerts(accepted.steps[0].id)] == ["overdue"]
    assert len(mailbox.messages_to(leader.email)) == 1


def test_paused_dossier_is_not_alerted(accepted, clock, user, leader, mailbox):
    clock.at("2026-12-07 10:00")
    dossier = act(
        accepted, "return_for_supplement", user("cv.candang"), {"items": ["Giấy chứng sinh"], "comment": "Mờ"}
    )
    assert dossier.is_paused
    clock.at("2026-12-09 10:00")
    scan_once()
    assert _alerts(dossier.steps[0].id) == []
    assert mailbox.messages_to(leader.email) == []


def test_finished_step_is_not_alerted(accepted, clock, leader, mailbox):
    step = accepted.steps[0]
    step.finished_at = vn("2026-12-07 11:00")
    step.outcome = "early"
    db.session.commit()
    clock.at("2026-12-09 10:00")
    scan_once()
    assert _alerts(step.id) == []
    assert mailbox.messages_to(leader.email) == []


@pytest.mark.committed  # threads of its own, each with its own connection
def test_concurrent_scans_create_one_alert_per_step_and_kind(app, accepted, clock, leader, mailbox):
    clock.at("2026-12-07 15:30")
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                scan_once()
            except Exception as exc:  # reported to the test thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    step_id = accepted.steps[0].id
    assert [kind for kind, _ in _alerts(step_id)] == ["near_due"]
    count = select(func.count()).select_from(Notification).where(Notification.recipient == leader.email)
    assert db.session.scalar(count) == 1
    assert len(mailbox.messages_to(leader.email)) == 1
