"""SLA clock rules, table-driven. Expected values are worked out by hand from the 2026
calendar: Tết 16–20 Feb; Hùng Kings 26 Apr (Sun) observed Mon 27 Apr; 30 Apr & 1 May; 31 Aug
(swapped with make-up Saturday 22 Aug), 1 and 2 Sep; Vietnam Cultural Day 24 Nov.
Reference weekdays: Mon 2 Mar, Fri 6 Mar, Sat 7 Mar, Mon 9 Mar 2026."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar.clock import HolidayYear, WorkingCalendar, parse_periods

CAL = WorkingCalendar()


@pytest.fixture
def app_ctx():
    """Overrides the autouse fixture of tests/conftest.py: the pure clock needs no app or services."""
    yield


VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y, mo, d, h=0, mi=0, s=0):
    """A Vietnam local instant (+07:00, no DST)."""
    return datetime(y, mo, d, h, mi, s, tzinfo=VN)


def assert_same(actual, expected):
    assert actual == expected
    assert actual.utcoffset() == timedelta(hours=7), "results are in Asia/Ho_Chi_Minh"


# --- working days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 2), True),  # Monday
        (date(2026, 3, 6), True),  # Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year
        (date(2026, 2, 13), True),  # Friday before Tết
        (date(2026, 2, 16), False),  # Tết
        (date(2026, 2, 17), False),
        (date(2026, 2, 18), False),
        (date(2026, 2, 19), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),  # first day back after Tết
        (date(2026, 4, 27), False),  # Hùng Kings (Sunday) observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # make-up Saturday announced for 31 Aug
        (date(2026, 8, 31), False),  # day off swapped from 22 Aug
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        (date(2026, 11, 24), False),  # Vietnam Cultural Day
    ],
)
def test_working_days_follow_weekends_and_vietnamese_holidays(day, expected):
    assert CAL.is_working_day(day) is expected


@pytest.mark.parametrize(
    ("overrides", "day", "expected"),
    [
        ({date(2026, 3, 7): "working_day"}, date(2026, 3, 7), True),  # admin make-up Saturday
        ({date(2026, 3, 4): "day_off"}, date(2026, 3, 4), False),  # admin day off on a Wednesday
        ({date(2026, 9, 2): "working_day"}, date(2026, 9, 2), True),  # override wins over a holiday
        ({date(2026, 8, 22): "day_off"}, date(2026, 8, 22), False),  # ... and over a package swap
        ({date(2026, 3, 4): "day_off"}, date(2026, 3, 5), True),  # only that date changes
    ],
)
def test_admin_overrides_win(overrides, day, expected):
    assert WorkingCalendar(overrides=overrides).is_working_day(day) is expected


def test_special_days_of_2026_list_weekday_holidays_swaps_and_admin_entries():
    cal = WorkingCalendar(overrides={date(2026, 3, 7): "working_day", date(2026, 4, 30): "working_day"})
    listed = {(d.day, d.kind, d.source) for d in cal.special_days(2026)}
    assert listed == {
        (date(2026, 1, 1), "day_off", "holiday"),
        *((date(2026, 2, n), "day_off", "holiday") for n in range(16, 21)),
        (date(2026, 3, 7), "working_day", "admin"),
        (date(2026, 4, 27), "day_off", "holiday"),
        (date(2026, 4, 30), "working_day", "admin"),
        (date(2026, 5, 1), "day_off", "holiday"),
        (date(2026, 8, 22), "working_day", "holiday"),
        (date(2026, 8, 31), "day_off", "holiday"),
        (date(2026, 9, 1), "day_off", "holiday"),
        (date(2026, 9, 2), "day_off", "holiday"),
        (date(2026, 11, 24), "day_off", "holiday"),
    }


# --- instants ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (vn(2026, 3, 2, 9, 0), vn(2026, 3, 2, 9, 0)),  # inside a period
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 7, 0)),  # a period start is inside
        (vn(2026, 3, 2, 6, 0), vn(2026, 3, 2, 7, 0)),  # before opening
        (vn(2026, 3, 2, 11, 0), vn(2026, 3, 2, 13, 0)),  # a period end is outside
        (vn(2026, 3, 2, 17, 0), vn(2026, 3, 3, 7, 0)),
        (vn(2026, 3, 6, 18, 0), vn(2026, 3, 9, 7, 0)),  # Friday evening → Monday
        (vn(2026, 2, 13, 17, 0), vn(2026, 2, 23, 7, 0)),  # over Tết
    ],
)
def test_next_working_instant(t, expected):
    assert_same(CAL.next_working_instant(t), expected)


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), 480),
        (vn(2026, 3, 2, 10, 0), vn(2026, 3, 2, 14, 0), 120),  # lunch does not count
        (vn(2026, 3, 6, 16, 0), vn(2026, 3, 9, 8, 0), 120),  # weekend does not count
        (vn(2026, 2, 13, 7, 0), vn(2026, 2, 23, 7, 0), 480),  # Tết does not count
        (vn(2026, 3, 2, 6, 0), vn(2026, 3, 2, 6, 59), 0),
        (vn(2026, 3, 7, 8, 0), vn(2026, 3, 8, 16, 0), 0),
        (vn(2026, 3, 2, 14, 0), vn(2026, 3, 2, 10, 0), 0),  # b before a
    ],
)
def test_working_minutes_between(a, b, minutes):
    assert CAL.working_minutes_between(a, b) == minutes


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "kind", "amount", "expected"),
    [
        # The two rules quoted in the issue.
        (vn(2026, 3, 2, 7, 0), "working_days", 1, vn(2026, 3, 2, 17, 0)),  # Mon 07:00 → Mon 17:00
        (vn(2026, 3, 6, 14, 0), "working_days", 1, vn(2026, 3, 9, 14, 0)),  # Fri 14:00 → Mon 14:00
        # Fri 14:00 + 1 day across holidays.
        (vn(2026, 2, 13, 14, 0), "working_days", 1, vn(2026, 2, 23, 14, 0)),  # Tết + weekend
        (vn(2026, 4, 29, 14, 0), "working_days", 1, vn(2026, 5, 4, 14, 0)),  # 30/4, 1/5, weekend
        (vn(2026, 8, 28, 14, 0), "working_days", 1, vn(2026, 9, 3, 14, 0)),  # 31/8, 1/9, 2/9
        (vn(2026, 8, 21, 14, 0), "working_days", 1, vn(2026, 8, 22, 14, 0)),  # make-up Saturday
        # Clock starts at the next working period when accepted outside working time.
        (vn(2026, 3, 2, 6, 0), "working_days", 1, vn(2026, 3, 2, 17, 0)),
        (vn(2026, 3, 2, 17, 30), "working_days", 1, vn(2026, 3, 3, 17, 0)),
        (vn(2026, 3, 2, 11, 30), "working_days", 1, vn(2026, 3, 3, 11, 0)),
        (vn(2026, 3, 7, 10, 0), "working_days", 1, vn(2026, 3, 9, 17, 0)),
        # Long budgets.
        (vn(2026, 3, 2, 7, 0), "working_days", 30, vn(2026, 4, 10, 17, 0)),
        (vn(2026, 2, 2, 7, 0), "working_days", 30, vn(2026, 3, 20, 17, 0)),  # skips Tết week
        (vn(2026, 4, 22, 10, 0), "working_days", 15, vn(2026, 5, 18, 10, 0)),  # 27/4, 30/4, 1/5
        # Hour deadlines.
        (vn(2026, 3, 2, 9, 0), "working_hours", 4, vn(2026, 3, 2, 15, 0)),
        (vn(2026, 3, 2, 7, 0), "working_hours", 4, vn(2026, 3, 2, 11, 0)),  # end of morning, not 13:00
        (vn(2026, 3, 2, 16, 0), "working_hours", 1, vn(2026, 3, 2, 17, 0)),  # not Tue 07:00
        (vn(2026, 3, 2, 16, 0), "working_hours", 2, vn(2026, 3, 3, 8, 0)),
        (vn(2026, 3, 6, 15, 0), "working_hours", 4, vn(2026, 3, 9, 9, 0)),
        (vn(2026, 2, 12, 16, 0), "working_hours", 24, vn(2026, 2, 24, 16, 0)),
    ],
)
def test_due_at_for_working_days_and_hours(start, kind, amount, expected):
    assert_same(CAL.due_at(start, kind, amount), expected)


@pytest.mark.parametrize(
    ("start", "cutoff", "expected"),
    [
        (vn(2026, 3, 2, 10, 0), None, vn(2026, 3, 2, 17, 0)),
        (vn(2026, 3, 2, 6, 30), None, vn(2026, 3, 2, 17, 0)),  # before opening
        (vn(2026, 3, 2, 14, 59), None, vn(2026, 3, 2, 17, 0)),
        (vn(2026, 3, 2, 15, 0), None, vn(2026, 3, 2, 17, 0)),  # at the cut-off
        (vn(2026, 3, 2, 15, 0, 59), None, vn(2026, 3, 2, 17, 0)),  # same minute as printed on Mẫu 01
        (vn(2026, 3, 2, 15, 1), None, vn(2026, 3, 3, 17, 0)),  # after the cut-off
        (vn(2026, 3, 6, 16, 0), None, vn(2026, 3, 9, 17, 0)),  # Friday after cut-off → Monday
        (vn(2026, 3, 7, 9, 0), None, vn(2026, 3, 9, 17, 0)),  # Saturday → Monday
        (vn(2026, 4, 30, 9, 0), None, vn(2026, 5, 4, 17, 0)),  # holiday → next working day
        (vn(2026, 2, 13, 15, 30), None, vn(2026, 2, 23, 17, 0)),  # after cut-off before Tết
        (vn(2026, 3, 2, 10, 59), "11:00", vn(2026, 3, 2, 17, 0)),  # per-procedure cut-off
        (vn(2026, 3, 2, 11, 30), "11:00", vn(2026, 3, 3, 17, 0)),
        (vn(2026, 3, 2, 17, 30), "18:00", vn(2026, 3, 3, 17, 0)),  # cut-off after closing: next day
    ],
)
def test_same_day_due_at(start, cutoff, expected):
    assert_same(CAL.due_at(start, "same_day", cutoff=cutoff), expected)


def test_same_day_cut_off_is_configurable_per_calendar():
    cal = WorkingCalendar(same_day_cutoff=time(16, 0))
    assert_same(cal.due_at(vn(2026, 3, 2, 15, 30), "same_day"), vn(2026, 3, 2, 17, 0))


@pytest.mark.parametrize(
    ("overrides", "start", "kind", "expected"),
    [
        ({date(2026, 3, 7): "working_day"}, vn(2026, 3, 6, 14, 0), "working_days", vn(2026, 3, 7, 14, 0)),
        ({date(2026, 3, 9): "day_off"}, vn(2026, 3, 6, 14, 0), "working_days", vn(2026, 3, 10, 14, 0)),
        ({date(2026, 3, 7): "working_day"}, vn(2026, 3, 7, 10, 0), "same_day", vn(2026, 3, 7, 17, 0)),
        ({date(2026, 3, 9): "day_off"}, vn(2026, 3, 6, 16, 0), "same_day", vn(2026, 3, 10, 17, 0)),
    ],
)
def test_admin_days_move_deadlines(overrides, start, kind, expected):
    assert_same(WorkingCalendar(overrides=overrides).due_at(start, kind, 1), expected)


def test_custom_periods_keep_the_boundary_rules():
    cal = WorkingCalendar("07:30-11:30,13:30-17:00")  # 7.5 h a day
    assert cal.minutes_per_day == 450
    assert_same(cal.due_at(vn(2026, 3, 2, 7, 30), "working_days", 1), vn(2026, 3, 2, 17, 0))
    assert_same(cal.due_at(vn(2026, 3, 6, 14, 0), "working_days", 1), vn(2026, 3, 9, 14, 0))


def test_any_time_zone_in_vietnam_time_out():
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
    due = CAL.due_at(start, "working_days", 1)
    assert due.isoformat() == "2026-03-02T17:00:00+07:00"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: CAL.due_at(vn(2026, 3, 2, 7), "weeks", 1), "unknown deadline kind"),
        (lambda: CAL.due_at(vn(2026, 3, 2, 7), "working_days", 0), "positive amount"),
        (lambda: CAL.add_working_minutes(vn(2026, 3, 2, 7), -1), "negative"),
        (lambda: CAL.due_at(datetime(2026, 3, 2, 7), "working_days", 1), "naive datetime"),
        (lambda: CAL.due_at(vn(2026, 3, 2, 7), "same_day", cutoff="3pm"), "expected HH:MM"),
        (lambda: WorkingCalendar(overrides={date(2026, 3, 2): "holiday"}), "unknown calendar day kinds"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


class _EveryDay(dict):
    def __contains__(self, key):
        return True


def test_calendar_without_working_days_fails_instead_of_looping():
    cal = WorkingCalendar(holidays=lambda year: HolidayYear(days_off=_EveryDay(), working_days={}))
    with pytest.raises(ValueError, match="no working day"):
        cal.due_at(vn(2026, 3, 2, 7), "working_days", 1)


# --- pauses ------------------------------------------------------------------------------------
# Accepted Wed 4 Mar 09:00 with 3 working days → due Mon 9 Mar 09:00.
# Paused Thu 5 Mar 15:00 → 12 working hours left (Thu 2 h, Fri 8 h, Mon 2 h).

DUE_3D = vn(2026, 3, 9, 9, 0)


def test_three_day_deadline_used_by_pause_cases():
    assert_same(CAL.due_at(vn(2026, 3, 4, 9, 0), "working_days", 3), DUE_3D)
    assert CAL.working_minutes_between(vn(2026, 3, 5, 15, 0), DUE_3D) == 720


@pytest.mark.parametrize(
    ("paused_at", "resumed_at", "expected"),
    [
        (vn(2026, 3, 5, 15, 0), vn(2026, 3, 9, 10, 0), vn(2026, 3, 10, 16, 0)),  # across the weekend
        (vn(2026, 3, 5, 15, 0), vn(2026, 3, 7, 10, 0), vn(2026, 3, 10, 11, 0)),  # resumed on Saturday
        (vn(2026, 3, 5, 15, 0), vn(2026, 3, 5, 15, 0), DUE_3D),  # zero-length pause
        (vn(2026, 3, 6, 16, 0), vn(2026, 3, 9, 16, 0), vn(2026, 3, 10, 9, 0)),  # 3 h left
        (vn(2026, 3, 6, 17, 0), vn(2026, 3, 9, 7, 0), DUE_3D),  # paused after hours
        (vn(2026, 3, 9, 10, 0), vn(2026, 3, 10, 8, 0), DUE_3D),  # already overdue
    ],
)
def test_resume_keeps_the_remaining_working_time(paused_at, resumed_at, expected):
    assert_same(CAL.resume_due_at(paused_at, DUE_3D, resumed_at), expected)


def test_resume_before_pause_is_rejected():
    with pytest.raises(ValueError, match="before paused_at"):
        CAL.resume_due_at(vn(2026, 3, 5, 15), DUE_3D, vn(2026, 3, 5, 14))


# --- outcome and warnings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finished_at", "expected"),
    [
        (vn(2026, 3, 6, 16, 0), "early"),
        (vn(2026, 3, 8, 10, 0), "early"),  # Sunday before the due date
        (vn(2026, 3, 9, 8, 0), "on_time"),
        (vn(2026, 3, 9, 17, 0), "on_time"),  # exactly at due_at
        (vn(2026, 3, 9, 17, 1), "late"),
        (vn(2026, 3, 10, 9, 0), "late"),
        (datetime(2026, 3, 8, 23, 30, tzinfo=UTC), "on_time"),  # Sunday in UTC, Monday 06:30 in Vietnam
    ],
)
def test_outcome(finished_at, expected):
    assert CAL.outcome(finished_at, vn(2026, 3, 9, 17, 0)) == expected


@pytest.mark.parametrize(
    ("start", "due", "now", "expected"),
    [
        # 480 min budget: warn when fewer than 192 min are left.
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 9, 0), False),
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 13, 48), False),  # exactly 40 %
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 13, 49), True),
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 17, 0), True),
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 17, 1), False),  # overdue instead
        # 1440 min budget (Wed 09:00 → Mon 09:00): warn under 576 min left.
        (vn(2026, 3, 4, 9, 0), DUE_3D, vn(2026, 3, 5, 16, 0), False),  # 660 left
        (vn(2026, 3, 4, 9, 0), DUE_3D, vn(2026, 3, 6, 8, 0), True),  # 540 left
    ],
)
def test_near_due(start, due, now, expected):
    assert CAL.near_due(start, due, now) is expected


# --- configuration -----------------------------------------------------------------------------


def test_parse_periods():
    assert parse_periods("13:00-17:00, 07:00-11:00") == ((time(7), time(11)), (time(13), time(17)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("07:00", "expected HH:MM-HH:MM"),
        ("11:00-07:00", "end must be after start"),
        ("07:00-11:00,10:00-12:00", "overlap"),
        ("7h-11h", "invalid time '7h'"),
        ("25:00-26:00", "invalid time '25:00'"),
    ],
)
def test_parse_periods_rejects_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        parse_periods(text)
