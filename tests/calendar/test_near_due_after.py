"""WorkingCalendar.near_due_after: the stored near-due instant agrees with near_due() everywhere."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from app.calendar.clock import WorkingCalendar
from app.core.time import VN_TZ


@pytest.fixture
def calendar(app):
    with app.app_context():
        from app.calendar.services import get_calendar

        yield get_calendar()


def test_matches_near_due_at_random_instants_across_holidays(calendar: WorkingCalendar):
    rng = random.Random(2026)
    base = datetime(2026, 11, 20, 0, 0, tzinfo=VN_TZ)  # spans Tue 24 Nov (holiday) and weekends
    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(0, 14 * 24 * 60), seconds=rng.randrange(60))
        due = start + timedelta(minutes=rng.randrange(1, 10 * 24 * 60))
        boundary = calendar.near_due_after(start, due, 0.4)
        assert start <= boundary <= due
        for now in (
            boundary,
            boundary + timedelta(microseconds=1),
            boundary - timedelta(microseconds=1),
            due,
            due + timedelta(microseconds=1),
            start + (due - start) * rng.random(),
        ):
            assert calendar.near_due(start, due, now, 0.4) == (boundary < now <= due), (start, due, now)


def test_a_step_without_working_time_is_never_near_due(calendar: WorkingCalendar):
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=VN_TZ)
    boundary = calendar.near_due_after(saturday, saturday + timedelta(hours=3), 0.4)
    assert boundary == saturday + timedelta(hours=3)
    assert not calendar.near_due(saturday, saturday + timedelta(hours=3), saturday + timedelta(hours=2))


def test_known_boundary_of_a_same_day_step(calendar: WorkingCalendar):
    start = datetime(2026, 12, 1, 8, 0, tzinfo=VN_TZ)  # Tue: 07-11, 13-17; 420 working minutes to 17:00
    due = datetime(2026, 12, 1, 17, 0, tzinfo=VN_TZ)
    boundary = datetime(2026, 12, 1, 14, 12, tzinfo=VN_TZ)  # 168 working minutes (40%) left
    assert calendar.near_due_after(start, due, 0.4) == boundary
