"""Search fixtures: a pinned clock, a citizen with a phone, and dossiers moved through the real
engine (a commune's birth registrations and a liên thông land dossier)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.clock import Clock
from tests.factories import act, submit

BIRTH = "1.001193"  # received, appraised and signed by UBND xã Cần Đăng (000.21.30.H01)
LAND = (
    "1.012790"  # liên thông: the commune receives, the district land registry appraises, the district signs
)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-03 08:00")


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", full_name="Trần Thị Thảo", citizen_id="089190000555", phone="0912000555")


@pytest.fixture
def other_citizen(make_user):
    return make_user("citizen", full_name="Lê Văn Minh", citizen_id="089190000666", phone="0912000666")


@pytest.fixture
def walk(user):
    """Move a dossier along its workflow with the demo officers: walk(dossier, "accept", ...)."""
    actors = {
        "accept": ("tn.candang", {}),
        "refuse": ("tn.candang", {"comment": "Không thuộc thẩm quyền"}),
        "assign": ("ld.candang", {"assignee": "cv.candang"}),
        "propose": ("cv.candang", {}),
        "approve": ("ld.candang", {}),
        "complete": ("tn.candang", {}),
        "deliver": ("tn.candang", {"return_method": "counter"}),
    }

    def go(dossier, *names):
        for name in names:
            login, payload = actors[name]
            dossier = act(dossier, name, user(login), dict(payload))
        return dossier

    return go


def at_the_counter(officer, name: str, phone: str):
    """A dossier the reception officer registers at the counter, the phone written as it was said."""
    from app.core.uow import unit_of_work
    from app.procedures import get_registry
    from app.workflow.submission import Submission, submit_dossier
    from tests.factories import form_data, uploads_for

    procedure = get_registry().current(BIRTH, date.today())
    with unit_of_work():
        return submit_dossier(
            officer,
            Submission(
                procedure_code=BIRTH,
                data=form_data(procedure),
                uploads=uploads_for(procedure),
                channel="counter",
                applicant={"name": name, "phone": phone},
            ),
        )


@pytest.fixture
def births(clock, citizen, other_citizen, walk, user):
    """Birth registrations of 3 Dec 2026: one returned, one refused, one withdrawn by its applicant;
    of 4 Dec: Lê Văn Minh's still waiting, and one taken at the counter with a phone "+84 912.000.777"."""
    returned = walk(submit(citizen, BIRTH), "accept", "assign", "propose", "approve", "complete", "deliver")
    clock.at("2026-12-03 09:00")
    refused = walk(submit(citizen, BIRTH), "refuse")
    clock.at("2026-12-03 10:00")
    withdrawn = act(submit(citizen, BIRTH), "withdraw", citizen, {"comment": "Nộp nhầm"})
    clock.at("2026-12-04 08:00")
    waiting = submit(other_citizen, BIRTH)
    clock.at("2026-12-04 09:00")
    counter = at_the_counter(user("tn.candang"), "Võ Thị Ánh", "+84 912.000.777")
    return {
        "returned": returned,
        "refused": refused,
        "withdrawn": withdrawn,
        "waiting": waiting,
        "counter": counter,
    }


@pytest.fixture
def land(clock, citizen, user):
    """A land dossier handed to the district land registry and on to the district People's
    Committee, which signed it and sent it back to the commune; submitted on 3 Dec 2026 at 11:00."""
    clock.at("2026-12-03 11:00")
    dossier = submit(citizen, LAND)
    dossier = act(dossier, "accept", user("tn.candang"))
    dossier = act(dossier, "assign", user("tn.candang"), {"assignee": "cv.candang"})
    dossier = act(dossier, "forward", user("cv.candang"))
    dossier = act(dossier, "forward", user("cv.vpdk"))
    return act(dossier, "approve", user("ld.chauthanh"))
