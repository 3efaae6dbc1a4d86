"""The queue's search box finds a dossier of the queue by the end of its code and by phone, as the
staff search does (app.search.terms), and only in the queue it was typed in."""

from __future__ import annotations

import pytest

from app.queues.queries import QueueFilters, list_queue
from tests.factories import submit
from tests.queues.conftest import BIRTH


@pytest.fixture
def two(clock, make_user, walk):
    caller = make_user("citizen", full_name="Phạm Văn Long", citizen_id="089190000888", phone="0912000888")
    clock.at("2026-12-07 07:10")
    waiting = submit(caller, BIRTH)
    clock.at("2026-12-07 07:20")
    accepted = walk(submit(caller, BIRTH), "accept")
    return waiting, accepted


def found(officer, kind, q):
    rows, _ = list_queue(officer, kind, QueueFilters(q=q))
    return [r.code for r in rows]


def test_the_end_of_a_code_finds_the_dossier_in_its_queue(two, user):
    waiting, accepted = two
    officer = user("tn.candang")
    serial = waiting.code.rsplit("-", 1)[1]
    assert found(officer, "reception", serial) == [waiting.code]
    assert found(officer, "reception", "-".join(waiting.code.rsplit("-", 2)[1:])) == [waiting.code]
    assert found(officer, "reception", waiting.code.lower()) == [waiting.code]
    assert found(user("ld.candang"), "leader", accepted.code.rsplit("-", 1)[1]) == [accepted.code]
    assert found(user("cv.candang"), "specialist", accepted.code.rsplit("-", 1)[1]) == []  # not assigned yet


@pytest.mark.parametrize("typed", ["0912000888", "0912 000 888", "+84912000888", "089190000888"])
def test_a_phone_or_citizen_id_finds_the_applicants_dossiers_of_the_queue(two, user, typed):
    assert found(user("tn.candang"), "reception", typed) == [two[0].code, two[1].code]


def test_another_units_queue_finds_nothing_by_code_end_or_phone(two, make_user):
    other = make_user("reception", "000.22.30.H01")
    assert found(other, "reception", two[0].code.rsplit("-", 1)[1]) == []
    assert found(other, "reception", "0912000888") == []
