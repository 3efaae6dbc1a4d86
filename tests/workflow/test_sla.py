"""The SLA clock as dossiers live it: start at acceptance, same-day cut-off, pauses, per-step budgets,
outcomes. Expected instants were worked out by hand from the calendar (Asia/Ho_Chi_Minh).
Note: 2026-11-24 is a public holiday in the `holidays` data (Vietnam Culture Day), and 1 Jan 2027 too.
"""

from __future__ import annotations

import pytest

from tests.clock import Clock, vn  # noqa: F401
from tests.factories import act, submit


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-07 06:00")


def _code(stem: str) -> str:
    from app.procedures import get_registry

    return next(p.code for p in get_registry().all() if p.source_file.endswith(f"{stem}.yaml"))


@pytest.fixture
def citizen(make_user):
    return make_user("citizen")


@pytest.mark.parametrize(
    ("accepted", "due"),
    [
        ("2026-12-07 14:59", "2026-12-07 17:00"),  # before the 15:00 cut-off: same day
        ("2026-12-07 15:00", "2026-12-07 17:00"),  # at the cut-off still counts
        ("2026-12-07 15:01", "2026-12-08 17:00"),  # after: end of the next working day
        ("2026-12-12 09:00", "2026-12-14 17:00"),  # Saturday: end of the next working day (Monday)
        ("2026-11-23 16:00", "2026-11-25 17:00"),  # next working day skips the 24 Nov holiday
    ],
)
def test_same_day_procedure_respects_cutoff(clock, citizen, user, accepted, due):
    dossier = submit(citizen, _code("birth_registration"))
    clock.at(accepted)
    dossier = act(dossier, "accept", user("tn.candang"))
    assert dossier.due_at == vn(due)


@pytest.mark.parametrize(
    ("accepted", "due"),
    [
        ("2026-12-07 07:00", "2026-12-09 17:00"),  # Mon 07:00 + 3 days: Wed 17:00, not Thu 07:00
        ("2026-12-11 14:00", "2026-12-16 14:00"),  # Fri 14:00 + 3 days over the weekend
        ("2026-12-07 18:30", "2026-12-10 17:00"),  # after hours: the clock starts Tue 07:00
        ("2026-12-31 10:00", "2027-01-06 10:00"),  # 1 Jan 2027 is a holiday
    ],
)
def test_working_day_deadline_from_acceptance(clock, citizen, user, accepted, due):
    dossier = submit(citizen, _code("business_household_registration"), unit_code="000.01.30.H01")
    clock.at(accepted)
    dossier = act(dossier, "accept", user("tn.chauthanh"))
    assert dossier.due_at == vn(due)
    assert dossier.steps[0].started_at == vn(accepted)


def test_supplement_pauses_clock_and_resume_keeps_remaining_time(clock, citizen, user):
    dossier = submit(citizen, _code("birth_registration"))
    clock.at("2026-12-07 09:00")
    dossier = act(dossier, "accept", user("tn.candang"))
    assert dossier.due_at == vn("2026-12-07 17:00")
    dossier = act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    clock.at("2026-12-07 10:00")  # 1 h + 4 h = 300 working minutes left
    dossier = act(
        dossier,
        "return_for_supplement",
        user("cv.candang"),
        {"items": ["Giấy chứng sinh bản chính"], "comment": "Bản chụp mờ"},
    )
    assert dossier.is_paused and dossier.national_status == 5
    clock.at("2026-12-09 14:00")
    dossier = act(dossier, "supplement", citizen)
    assert not dossier.is_paused
    assert dossier.due_at == vn("2026-12-10 09:00")  # Wed 14-17 (180) + Thu 07-09 (120)
    assert dossier.appointment_at == dossier.due_at
    assert dossier.paused_minutes == 60 + 240 + 480 + 240 + 60
    assert dossier.steps[0].due_at == vn("2026-12-10 09:00")


def test_each_lien_thong_unit_has_its_own_budget_and_outcome(clock, citizen, user, make_user):
    dossier = submit(citizen, _code("land_first_certificate"))
    clock.at("2026-12-07 07:00")
    dossier = act(dossier, "accept", user("tn.candang"))
    assert dossier.due_at == vn("2027-01-18 17:00")  # 30 working days
    assert dossier.steps[0].due_at == vn("2026-12-18 17:00")  # commune: 10 working days
    dossier = act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    clock.at("2026-12-09 10:00")
    dossier = act(dossier, "forward", user("cv.candang"))
    commune, registry = dossier.steps
    assert (commune.outcome, commune.finished_at) == ("early", vn("2026-12-09 10:00"))
    assert registry.unit.code == "000.04.30.H01" and dossier.current_unit.code == "000.04.30.H01"
    assert registry.due_at == vn("2026-12-30 10:00")  # 15 working days from Wed 10:00
    clock.at("2027-01-04 08:00")
    dossier = act(dossier, "forward", user("cv.vpdk"))
    assert dossier.steps[1].outcome == "late"  # the late unit is visible
    assert dossier.steps[2].unit.code == "000.00.30.H01"


@pytest.mark.parametrize(
    ("completed", "outcome"),
    [
        ("2026-12-07 16:59", "early"),  # Mon, due Wed 17:00: a day before the due date
        ("2026-12-09 08:00", "on_time"),  # on the due date, before the due time
        ("2026-12-09 17:00", "on_time"),
        ("2026-12-09 17:01", "late"),
    ],
)
def test_outcome_is_measured_against_the_legal_due_time(clock, citizen, user, completed, outcome):
    dossier = submit(citizen, _code("business_household_registration"), unit_code="000.01.30.H01")
    clock.at("2026-12-07 07:00")
    dossier = act(dossier, "accept", user("tn.chauthanh"))
    dossier = act(dossier, "forward", user("tn.chauthanh"))
    dossier = act(dossier, "assign", user("ld.tckh"), {"assignee": "cv.tckh"})
    dossier = act(dossier, "propose", user("cv.tckh"))
    dossier = act(dossier, "approve", user("ld.tckh"))
    clock.at(completed)
    dossier = act(dossier, "complete", user("tn.chauthanh"))
    assert dossier.outcome == outcome and dossier.completed_at == vn(completed)
