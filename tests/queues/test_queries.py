"""Queue contents, order, keyset pages, filters, search and deadline flags, through list_queue."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from app.extensions import db
from app.queues.queries import QueueFilters, list_queue, queue_states
from tests.factories import act
from tests.queues.conftest import BIRTH, vn


def codes(user, kind, filters=None, **kw):
    rows, _ = list_queue(user, kind, filters or QueueFilters(), **kw)
    return [r.code for r in rows]


@pytest.fixture
def states_by_name(clock, new_dossier, walk):
    """One dossier in each interesting state of the birth-registration workflow."""
    built = {
        "submitted": new_dossier(),
        "accepted": walk(new_dossier(), "accept"),
        "appraising": walk(new_dossier(), "accept", "assign"),
        "supplement_requested": walk(new_dossier(), "accept", "assign", "return_for_supplement"),
        "awaiting_approval": walk(new_dossier(), "accept", "assign", "propose"),
        "result_ready": walk(new_dossier(), "accept", "assign", "propose", "approve", "complete"),
        "returned": walk(new_dossier(), "accept", "assign", "propose", "approve", "complete", "deliver"),
    }
    return {state: d.code for state, d in built.items()}


@pytest.mark.parametrize(
    ("login", "kind", "expected"),
    [
        ("tn.candang", "reception", {"submitted", "accepted", "appraising", "result_ready"}),
        (
            "cv.candang",
            "specialist",
            {"appraising", "supplement_requested"},
        ),  # paused: flagged, awaits the citizen
        ("ld.candang", "leader", {"accepted", "appraising", "awaiting_approval"}),
    ],
)
def test_each_queue_holds_the_dossiers_its_role_acts_on(states_by_name, user, login, kind, expected):
    found = set(codes(user(login), kind))
    assert found == {states_by_name[s] for s in expected}


@pytest.mark.parametrize("kind", ["reception", "specialist", "leader"])
def test_officers_of_another_unit_see_none_of_them(states_by_name, user, kind):
    assert codes(user("tn.chauthanh"), kind) == []
    assert codes(user("cv.vpdk"), kind) == []


def test_queue_states_come_from_the_registry():
    reception = {(code, state) for code, _version, state in queue_states("reception") if code == BIRTH}
    assert ("1.001193", "submitted") in reception
    assert ("1.001193", "supplement_requested") not in reception  # only the citizen acts there


def test_mine_keeps_dossiers_assigned_to_me(clock, new_dossier, walk, user, make_user):
    mine = walk(new_dossier(), "accept", "assign")
    other = make_user("specialist")

    theirs = act(walk(new_dossier(), "accept"), "assign", user("ld.candang"), {"assignee": other.username})
    me = user("cv.candang")
    assert set(codes(me, "specialist")) == {mine.code, theirs.code}
    assert codes(me, "specialist", QueueFilters(assignee_id=me.id)) == [mine.code]


def test_sorted_by_due_then_submission_with_unaccepted_by_submission_time(clock, new_dossier, walk, user):
    clock.at("2026-12-07 08:00")
    early = new_dossier()  # not accepted: sorts by submission time 08:00
    clock.at("2026-12-07 09:00")
    accepted_today = walk(new_dossier(), "accept")  # same-day: due 17:00 today
    clock.at("2026-12-07 16:00")
    accepted_late = walk(new_dossier(), "accept")  # after the 15:00 cut-off: due tomorrow 17:00
    clock.at("2026-12-07 16:30")
    late_submission = new_dossier()
    assert codes(user("tn.candang"), "reception") == [
        early.code,
        late_submission.code,
        accepted_today.code,
        accepted_late.code,
    ]


def test_keyset_pages_walk_every_row_once(clock, new_dossier, walk, user):
    made = []
    for i in range(13):
        clock.at(f"2026-12-07 {7 + i // 4:02d}:{(i % 4) * 10:02d}")
        made.append(new_dossier().code)
    officer, seen, cursor = user("tn.candang"), [], None
    while True:
        rows, cursor = list_queue(officer, "reception", QueueFilters(), cursor, limit=5)
        seen += [r.code for r in rows]
        if cursor is None:
            break
    assert seen == made  # submission order, no duplicates, nothing skipped
    assert len(set(seen)) == 13


def test_ties_on_the_sort_key_are_broken_by_id(clock, new_dossier, user):
    made = [new_dossier().code for _ in range(5)]  # the same submitted_at: the clock did not move
    officer, seen, cursor = user("tn.candang"), [], None
    for _ in range(5):
        rows, cursor = list_queue(officer, "reception", QueueFilters(), cursor, limit=2)
        seen += [r.code for r in rows]
        if cursor is None:
            break
    assert seen == made


def test_filters_by_procedure_state_channel_and_dates(clock, new_dossier, walk, user):
    clock.at("2026-12-07 08:00")
    monday = new_dossier()
    clock.at("2026-12-08 08:00")
    tuesday = walk(new_dossier(), "accept")
    officer = user("tn.candang")
    assert codes(officer, "reception", QueueFilters(procedure=BIRTH)) == [monday.code, tuesday.code]
    assert codes(officer, "reception", QueueFilters(procedure="2.000815")) == []
    assert codes(officer, "reception", QueueFilters(state="accepted")) == [tuesday.code]
    assert codes(officer, "reception", QueueFilters(channel="online")) == [monday.code, tuesday.code]
    assert codes(officer, "reception", QueueFilters(channel="postal")) == []
    # local dates: Tuesday 08:00 in Vietnam is Tuesday 01:00 UTC
    assert codes(officer, "reception", QueueFilters(date_from=date(2026, 12, 8))) == [tuesday.code]
    assert codes(officer, "reception", QueueFilters(date_to=date(2026, 12, 7))) == [monday.code]


def test_search_by_code_citizen_id_and_name_with_or_without_diacritics(clock, new_dossier, make_user, user):
    from tests.factories import submit

    anh = new_dossier()
    other = submit(make_user("citizen", full_name="Trần Văn Bình", citizen_id="089190000888"), BIRTH)
    officer = user("tn.candang")
    for q, expected in [
        (anh.code, [anh.code]),
        ("089190000777", [anh.code]),
        ("089190000888", [other.code]),
        ("Nguyễn Thị Ánh", [anh.code]),
        ("nguyen thi anh", [anh.code]),
        ("ANH", [anh.code]),
        ("tran binh", [other.code]),
        ("Bình", [other.code]),
        ("nguyen binh", []),
    ]:
        assert codes(officer, "reception", QueueFilters(q=q)) == expected, q


def test_flags_near_due_then_overdue(clock, new_dossier, walk, user):
    clock.at("2026-12-07 07:00")
    fresh = walk(new_dossier(), "accept")  # same-day budget: 07:00 to 17:00, 8 working hours
    officer = user("tn.candang")

    def flags(code):
        rows, _ = list_queue(officer, "reception", QueueFilters())
        rows += list_queue(user("ld.candang"), "leader", QueueFilters())[0]
        row = next(r for r in rows if r.code == code)
        return row.is_near_due, row.is_overdue, row.is_paused

    clock.at("2026-12-07 10:00")  # 6 h of 8 left
    assert flags(fresh.code) == (False, False, False)
    clock.at("2026-12-07 14:30")  # 2.5 h left < 40% of 8 h
    assert flags(fresh.code) == (True, False, False)
    clock.at("2026-12-08 08:00")
    assert flags(fresh.code) == (False, True, False)
    rows, _ = list_queue(officer, "reception", QueueFilters(overdue=True))
    assert [r.code for r in rows] == [fresh.code]
    assert rows[0].minutes_left == -60
    assert rows[0].due_at == vn("2026-12-07 17:00")


def test_lien_thong_dossier_moves_between_unit_queues_and_shows_paused(clock, citizen, user):
    from tests.factories import submit

    land = submit(citizen, "1.012790")  # received by the commune, appraised by the district registry
    land = act(land, "accept", user("tn.candang"))
    land = act(land, "assign", user("tn.candang"), {"assignee": "cv.candang"})
    assert codes(user("cv.candang"), "specialist") == [land.code]
    land = act(land, "forward", user("cv.candang"))
    assert codes(user("cv.candang"), "specialist") == []  # handed off: gone from the commune
    registry = user("cv.vpdk")
    rows, _ = list_queue(registry, "specialist", QueueFilters())
    assert [(r.code, r.is_paused) for r in rows] == [(land.code, False)]
    assert rows[0].due_at == land.steps[-1].due_at  # the registry's own step due, not the dossier's
    clock.at("2026-12-08 09:00")
    act(land, "request_payment", registry)
    clock.at("2026-12-30 09:00")  # long after: a paused dossier is never flagged overdue
    rows, _ = list_queue(registry, "specialist", QueueFilters())
    assert [(r.code, r.is_paused, r.is_overdue, r.is_near_due) for r in rows] == [
        (land.code, True, False, False)
    ]


def test_query_count_does_not_grow_with_the_page(clock, new_dossier, walk, user):
    officer = user("tn.candang")

    def count(limit):
        statements = []

        def record(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            list_queue(officer, "reception", QueueFilters(), limit=limit)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    for _ in range(5):
        walk(new_dossier(), "accept")
    few = count(5)
    for _ in range(35):
        walk(new_dossier(), "accept")
    assert count(40) == few
