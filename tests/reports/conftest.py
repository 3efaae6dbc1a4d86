"""A small known month for the reports: three birth registrations at xã Cần Đăng in October 2026
(two online, one at the counter; two completed the same day, one left open), driven through the
real services and engine on a hand-set clock. Render jobs are recorded, not run, unless a test
runs one itself: the suite renders only the few PDFs it reads."""

from __future__ import annotations

from datetime import date

import pytest

from app.procedures import get_registry
from app.workflow.submission import Submission, submit_dossier
from tests.clock import Clock
from tests.factories import act, form_data, submit, uploads_for

BIRTH = "1.001193"  # đăng ký khai sinh: received, appraised and signed by the commune
COMMUNE = "000.21.30.H01"  # UBND xã Cần Đăng
DISTRICT = "000.00.30.H01"  # UBND huyện Châu Thành
PROVINCE = "000.00.00.H01"
OTHER_DISTRICT = "000.00.31.H01"  # UBND huyện Chợ Mới
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def queued(monkeypatch):
    """Render jobs the services enqueue, as (report id, job id), instead of running them."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(
        "app.reports.services.enqueue", lambda func, report_id, job_id=None: calls.append((report_id, job_id))
    )
    return calls


def _complete(dossier, user):
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(dossier, "propose", user("cv.candang"))
    act(dossier, "approve", user("ld.candang"))
    return act(dossier, "complete", user("tn.candang"))


@pytest.fixture
def october(monkeypatch, user, make_user):
    clock = Clock(monkeypatch, "2026-10-08 07:00")
    citizen = make_user("citizen")
    clock.at("2026-10-08 08:00")
    online_done = act(submit(citizen, BIRTH, COMMUNE), "accept", user("tn.candang"))
    clock.at("2026-10-08 10:30")
    _complete(online_done, user)

    clock.at("2026-10-12 08:00")
    online_open = act(submit(citizen, BIRTH, COMMUNE), "accept", user("tn.candang"))

    clock.at("2026-10-14 08:00")
    procedure = get_registry().current(BIRTH, date.today())
    counter = submit_dossier(
        user("tn.candang"),
        Submission(
            procedure.code,
            form_data(procedure),
            uploads=uploads_for(procedure),
            channel="counter",
            unit_code=COMMUNE,
            applicant={"name": "Trần Thị B"},
        ),
    )
    act(counter, "accept", user("tn.candang"))
    clock.at("2026-10-14 09:30")
    _complete(counter, user)
    return {"online_done": online_done, "online_open": online_open, "counter": counter}
