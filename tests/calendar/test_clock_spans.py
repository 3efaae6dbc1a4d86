"""Long spans are counted by whole days, not walked: the answer must equal a day-by-day walk."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from app.calendar.clock import WorkingCalendar
from app.core.time import VN_TZ


@pytest.fixture
def app_ctx():
    """Overrides the autouse fixture of tests/conftest.py: the pure clock needs no app or services."""
    yield


def walked(calendar: WorkingCalendar, a: datetime, b: datetime) -> timedelta:
    total, day = timedelta(0), a.date()
    while day <= b.date():
        for start, end in calendar.working_periods(day):
            overlap = min(end, b) - max(start, a)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_span_counting_equals_a_day_by_day_walk(seed):
    rng = random.Random(seed)
    calendar = WorkingCalendar(overrides={date(2026, 12, 12): "working_day", date(2026, 12, 15): "day_off"})
    for _ in range(200):
        a = datetime(2025, 1, 1, tzinfo=VN_TZ) + timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
        b = a + timedelta(minutes=rng.randrange(0, 60 * 24 * rng.choice((1, 10, 400))))
        assert calendar.working_time_between(a, b) == walked(calendar, a, b), (a, b)


def test_a_year_long_span_is_a_count_of_working_days():
    calendar = WorkingCalendar()
    a = datetime(2026, 1, 1, 0, 0, tzinfo=VN_TZ)
    b = datetime(2027, 1, 1, 0, 0, tzinfo=VN_TZ)
    working_days = sum(calendar.is_working_day(a.date() + timedelta(days=n)) for n in range(365))
    assert calendar.working_minutes_between(a, b) == working_days * 480
