"""Decision 766 group 5 facts: petitions handled on time / due and satisfaction with answers, per
set of units and period, as the indicators read them."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.time import VN_TZ
from app.core.uow import unit_of_work
from app.org.queries import get_unit_by_code
from app.petitions.queries import Group5Facts, group5_facts, group5_facts_by_unit
from app.petitions.services import rate_petition
from tests.petitions.conftest import CAN_DANG, JUDICIAL, about_dossier, about_procedure, answered, filed

MARCH = (datetime(2026, 3, 1, tzinfo=VN_TZ), datetime(2026, 4, 1, tzinfo=VN_TZ))
APRIL = (datetime(2026, 4, 1, tzinfo=VN_TZ), datetime(2026, 5, 1, tzinfo=VN_TZ))
LATER = datetime(2026, 6, 1, tzinfo=VN_TZ)  # "now" for the facts: both months are over


def _at(day: int, month: int = 3, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN_TZ)


def test_on_time_due_and_satisfaction_per_unit_and_period(citizen, dossier, user):
    can_dang = get_unit_by_code(CAN_DANG)
    officer = user("cv.candang")

    def petition(day: int):
        return filed(citizen, about_dossier(dossier.code), now=_at(day)).petition

    on_time = petition(2)  # due 16 March
    answered(on_time, officer, now=_at(5))
    late = petition(3)  # due 17 March, answered in April
    answered(late, officer, now=_at(2, 4))
    petition(4)  # due 18 March, never answered ("never" below)
    pleased, unhappy = petition(9), petition(10)
    answered(pleased, officer, now=_at(11))
    answered(unhappy, officer, now=_at(12))
    with unit_of_work():
        rate_petition(pleased, citizen, 5, now=_at(13))
        rate_petition(unhappy, citizen, 2, now=_at(13))
        rate_petition(late, citizen, 4, now=_at(3, 4))
    filed(citizen, about_dossier(dossier.code), now=_at(30))  # due in April: not due in March

    march = group5_facts([can_dang.id], *MARCH, now=LATER)
    # answered in March: on_time, pleased, unhappy (all on time); fell due in March and unanswered
    # at its end: late (answered only in April) and never.
    assert march == Group5Facts(on_time=3, due=5, satisfied=1, rated=2, answered=3, open_overdue=2)
    april = group5_facts([can_dang.id], *APRIL, now=LATER)
    # late is answered in April, after its deadline; never is still overdue (it fell due in March);
    # the petition of 30 March fell due in April, unanswered.
    assert april == Group5Facts(on_time=0, due=2, satisfied=1, rated=1, answered=1, open_overdue=2)
    whole = group5_facts([can_dang.id], MARCH[0], APRIL[1], now=LATER)
    assert (whole.on_time, whole.due) == (3, 6)  # each petition counts once over the two months


def test_facts_are_read_per_unit_and_for_every_unit(citizen, dossier, user):
    filed(citizen, about_dossier(dossier.code), now=_at(2))
    centre_petition = filed(None, about_procedure(JUDICIAL), now=_at(2)).petition
    answered(centre_petition, user("tn.tinh"), now=_at(3))
    by_unit = group5_facts_by_unit(None, *MARCH, now=LATER)
    assert by_unit[centre_petition.unit_id].on_time == 1
    assert by_unit[get_unit_by_code(CAN_DANG).id].due == 1
    assert (
        group5_facts([centre_petition.unit_id], *MARCH, procedure_code="1.001193", now=LATER) == Group5Facts()
    )
    everything = group5_facts(None, *MARCH, now=LATER)
    assert everything.due >= 2 and everything.on_time >= 1


def test_a_period_that_is_not_over_counts_only_what_fell_due_so_far(citizen, dossier):
    petition = filed(citizen, about_dossier(dossier.code), now=_at(2)).petition  # due 16 March 09:00
    before_due = petition.due_at - timedelta(hours=1)
    assert group5_facts(None, *MARCH, now=before_due).due == 0
    assert group5_facts(None, *MARCH, now=petition.due_at + timedelta(hours=1)).due == 1
