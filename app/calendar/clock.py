"""Working calendar and SLA clock (docs/domain.md, Working time). Pure logic: no Flask, no database.

All instants are timezone-aware; any zone is accepted and results are in Asia/Ho_Chi_Minh.
Vietnam has no daylight saving time, so a local wall-clock period is always the same length.

Rules implemented here:
- A working day is Mon–Fri, minus public holidays and announced days off (the ``holidays``
  package, VN), plus announced make-up working days; administrator overrides win over both.
- Working time is the configured periods of each working day (default 07:00–11:00, 13:00–17:00).
- The clock starts at the given instant, or at the next working period's start if outside one.
- ``due_at`` is the instant the elapsed working time reaches the budget; an instant that falls on a
  period start is reported as the end of the previous period (Mon 07:00 + 1 day → Mon 17:00).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays as holidays_package

from app.core.time import VN_TZ

SET_BY_ADMIN = "admin"  # the source of a day an administrator set (the API says so)

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
DAY_KINDS = (DAY_OFF, WORKING_DAY)
DEADLINE_KINDS = ("working_days", "working_hours", "same_day")
OUTCOMES = ("early", "on_time", "late")

Period = tuple[time, time]
DEFAULT_PERIODS: tuple[Period, ...] = ((time(7, 0), time(11, 0)), (time(13, 0), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)
_MAX_IDLE_DAYS = 366  # a year without a single working day is a configuration error, not a deadline


@dataclass(frozen=True)
class HolidayYear:
    """What the law/government says about one year: days off (with names) and make-up working days."""

    days_off: Mapping[date, str]
    working_days: Mapping[date, str]


@dataclass(frozen=True)
class SpecialDay:
    """A day whose status differs from the plain Mon–Fri rule, or that an administrator set."""

    day: date
    kind: str  # DAY_OFF | WORKING_DAY
    note: str
    source: str  # "holiday" (from the holidays package) | SET_BY_ADMIN


@lru_cache(maxsize=64)
def vietnam_holidays(year: int) -> HolidayYear:
    """Vietnamese public holidays and announced swaps of ``year``, from the ``holidays`` package.

    Cached per year for the process: the data is a pure function of the installed package version.
    Neighbouring years are loaded too, since a swap may cross New Year (2 Jan 2015 for 27 Dec 2014).
    """
    table = holidays_package.country_holidays("VN", years=(year - 1, year, year + 1), language="vi")
    days_off = {d: name for d, name in table.items() if d.year == year}
    working = {
        d: f"Làm bù (thay cho ngày {_swap_for(table, d)})" for d in table.weekend_workdays if d.year == year
    }
    return HolidayYear(days_off=days_off, working_days=working)


def _swap_for(table: Mapping[date, str], workday: date) -> str:
    """The day off a make-up working day pays for, as dd/mm/yyyy, or '?' if the package does not say."""
    stamp = workday.strftime("%d/%m/%Y")
    for day, name in table.items():
        if stamp in name:
            return day.strftime("%d/%m/%Y")
    return "?"


def parse_hhmm(text: str) -> time:
    """Parse "HH:MM" (24-hour clock); ValueError naming the bad value otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        if len(hours) not in (1, 2) or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"invalid time {text!r}: expected HH:MM, e.g. 15:00") from None


def parse_periods(text: str) -> tuple[Period, ...]:
    """Parse "07:00-11:00,13:00-17:00" into sorted, non-empty, non-overlapping periods.

    Raises ValueError with a message naming the bad part.
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("working periods are empty: expected e.g. 07:00-11:00,13:00-17:00")
    periods = []
    for part in parts:
        if part.count("-") != 1:
            raise ValueError(f"invalid working period {part!r}: expected HH:MM-HH:MM")
        start_text, end_text = part.split("-")
        start, end = parse_hhmm(start_text), parse_hhmm(end_text)
        if end <= start:
            raise ValueError(f"invalid working period {part!r}: end must be after start")
        periods.append((start, end))
    return validate_periods(periods)


def validate_periods(periods: list[Period] | tuple[Period, ...]) -> tuple[Period, ...]:
    ordered = tuple(sorted(periods))
    if not ordered:
        raise ValueError("at least one working period is required")
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            raise ValueError(f"working periods overlap: {s1:%H:%M}-{e1:%H:%M} and {s2:%H:%M}-{e2:%H:%M}")
    for start, end in ordered:
        if end <= start:
            raise ValueError(f"invalid working period {start:%H:%M}-{end:%H:%M}: end must be after start")
    return ordered


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the SLA clock; pass a timezone-aware instant")
    return value.astimezone(VN_TZ)


class WorkingCalendar:
    """Working days and working time of one deployment, and the SLA clock computed on them.

    ``overrides`` maps a date to DAY_OFF or WORKING_DAY (administrator entries; they win over the
    holiday source). ``holidays`` returns a HolidayYear for a year (default: Vietnam, from the
    ``holidays`` package). Instances are immutable in use and cheap to build.
    """

    def __init__(
        self,
        periods: tuple[Period, ...] | list[Period] | str = DEFAULT_PERIODS,
        overrides: Mapping[date, str] | None = None,
        same_day_cutoff: time | str = DEFAULT_CUTOFF,
        holidays: Callable[[int], HolidayYear] = vietnam_holidays,
    ) -> None:
        self.periods = parse_periods(periods) if isinstance(periods, str) else validate_periods(periods)
        self.overrides = dict(overrides or {})
        bad = {str(d): k for d, k in self.overrides.items() if k not in DAY_KINDS}
        if bad:
            raise ValueError(f"unknown calendar day kinds {bad}; expected one of {DAY_KINDS}")
        self.same_day_cutoff = _as_time(same_day_cutoff)
        self._holidays = holidays
        self.minutes_per_day = sum(_minutes(s, e) for s, e in self.periods)

    # --- days -------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Admin override first, then the holiday source, then Mon–Fri."""
        if d in self.overrides:
            return self.overrides[d] == WORKING_DAY
        year = self._holidays(d.year)
        if d in year.days_off:
            return False
        return d in year.working_days or d.weekday() < 5

    def special_days(self, year: int) -> list[SpecialDay]:
        """Effective non-working weekdays and working weekend days of ``year``, plus every admin entry.

        Holidays falling on a weekend change nothing and are left out; admin entries are always listed
        (so they can be cleared) with source "admin".
        """
        table = self._holidays(year)
        found = {
            d: SpecialDay(d, DAY_OFF, name, "holiday")
            for d, name in table.days_off.items()
            if d.weekday() < 5
        }
        found.update(
            {d: SpecialDay(d, WORKING_DAY, note, "holiday") for d, note in table.working_days.items()}
        )
        for d, kind in self.overrides.items():
            if d.year == year:
                found[d] = SpecialDay(d, kind, "", SET_BY_ADMIN)
        return [found[d] for d in sorted(found)]

    def working_periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """The local working intervals [start, end) of day ``d``; empty on a non-working day."""
        if not self.is_working_day(d):
            return []
        return [(datetime.combine(d, s, VN_TZ), datetime.combine(d, e, VN_TZ)) for s, e in self.periods]

    def _working_days_from(self, d: date) -> Iterator[date]:
        """Working days from ``d`` on (inclusive), without end."""
        idle = 0
        while True:
            if self.is_working_day(d):
                idle = 0
                yield d
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(
                        f"no working day in the {_MAX_IDLE_DAYS} days before {d}: check the calendar"
                    )
            d += timedelta(days=1)

    def _intervals_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from local instant ``t`` on, the first one clipped to start at ``t``."""
        for d in self._working_days_from(t.date()):
            for start, end in self.working_periods(d):
                if end > t:
                    yield max(start, t), end

    # --- instants ---------------------------------------------------------------------------

    def next_working_instant(self, t: datetime) -> datetime:
        """``t`` if it lies inside a working period (start inclusive, end exclusive), else the start of
        the next working period."""
        start, _ = next(self._intervals_from(_local(t)))
        return start

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which working time counted from ``start`` reaches ``amount``.

        A zero amount returns ``start``. Consuming periods greedily and stopping as soon as the
        remainder fits means the result is never a period start: a budget that ends exactly at a
        period boundary is reported as the end of that period (Mon 07:00 + 8 h → Mon 17:00).
        """
        if amount < timedelta(0):
            raise ValueError("working time to add must not be negative")
        local = _local(start)
        if not amount:
            return local
        remaining = amount
        for seg_start, seg_end in self._intervals_from(local):
            available = seg_end - seg_start
            if remaining <= available:
                return seg_start + remaining
            remaining -= available
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """``add_working_time`` with the amount in minutes."""
        return self.add_working_time(start, timedelta(minutes=minutes))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside [a, b]; zero if b <= a. The whole days in between are counted, not
        walked, so a span of months (a long-overdue dossier) costs as little as a span of hours."""
        a, b = _local(a), _local(b)
        if b <= a:
            return timedelta(0)
        if a.date() == b.date():
            return self._overlap(a.date(), a, b)
        whole_days = self._working_days_between(a.date() + timedelta(days=1), b.date() - timedelta(days=1))
        return (
            self._overlap(a.date(), a, b)
            + timedelta(minutes=whole_days * self.minutes_per_day)
            + self._overlap(b.date(), a, b)
        )

    def _overlap(self, d: date, a: datetime, b: datetime) -> timedelta:
        total = timedelta(0)
        for start, end in self.working_periods(d):
            overlap = min(end, b) - max(start, a)
            if overlap > timedelta(0):
                total += overlap
        return total

    def _working_days_between(self, first: date, last: date) -> int:
        """Number of working days in [first, last] (0 if last < first)."""
        count = 0
        for year in range(first.year, last.year + 1):
            ordinals = self._working_ordinals(year)
            count += bisect_right(ordinals, last.toordinal()) - bisect_left(ordinals, first.toordinal())
        return max(count, 0)

    def _working_ordinals(self, year: int) -> list[int]:
        """Sorted ordinals of the working days of ``year``, computed once per calendar and year."""
        cache = self.__dict__.setdefault("_ordinal_cache", {})
        if year not in cache:
            day, end = date(year, 1, 1), date(year, 12, 31)
            found = []
            while day <= end:
                if self.is_working_day(day):
                    found.append(day.toordinal())
                day += timedelta(days=1)
            cache[year] = found
        return cache[year]

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes inside [a, b] (rounded down); 0 if b <= a."""
        return int(self.working_time_between(a, b).total_seconds() // 60)

    def end_of_day(self, d: date) -> datetime:
        """End of the last working period of ``d`` (which must be a working day)."""
        return datetime.combine(d, self.periods[-1][1], VN_TZ)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return next(self._working_days_from(d + timedelta(days=1)))

    # --- SLA --------------------------------------------------------------------------------

    def due_at(
        self, start: datetime, kind: str, amount: float = 0, cutoff: time | str | None = None
    ) -> datetime:
        """Deadline of a budget ``amount`` of ``kind`` (DEADLINE_KINDS) for a clock started at ``start``.

        working_days: amount × working minutes per day (480 by default); working_hours: amount × 60.
        same_day: accepted on a working day at or before the cut-off (compared to the minute, as printed
        on Mẫu 01; default from the calendar, or ``cutoff`` "HH:MM") and before that day's last period
        ends → end of that day; otherwise → end of the next working day. ``amount`` is ignored.
        """
        if kind == "same_day":
            return self._same_day_due(_local(start), cutoff)
        if kind not in DEADLINE_KINDS:
            raise ValueError(f"unknown deadline kind {kind!r}; expected one of {DEADLINE_KINDS}")
        if amount <= 0:
            raise ValueError(f"a {kind} deadline needs a positive amount, got {amount!r}")
        per_unit = self.minutes_per_day if kind == "working_days" else 60
        return self.add_working_minutes(start, amount * per_unit)

    def _same_day_due(self, start: datetime, cutoff: time | str | None) -> datetime:
        limit = self.same_day_cutoff if cutoff is None else _as_time(cutoff)
        day = start.date()
        day_end = self.end_of_day(day)
        in_time = start.replace(second=0, microsecond=0).time() <= limit and start < day_end
        if self.is_working_day(day) and in_time:
            return day_end
        return self.end_of_day(self.next_working_day(day))

    def resume_due_at(self, paused_at: datetime, due_at: datetime, resumed_at: datetime) -> datetime:
        """New deadline after a pause (supplement during appraisal, financial obligation).

        The working time left at the pause is added from the resume (or the next working period's
        start); time between pause and resume never counts. If the deadline had already passed at the
        pause, it stays where it was: a pause does not turn a late dossier into an on-time one.
        """
        if resumed_at < paused_at:
            raise ValueError("resumed_at is before paused_at")
        remaining = self.working_time_between(paused_at, due_at)
        if remaining > timedelta(0):
            return self.add_working_time(resumed_at, remaining)
        return _local(due_at)

    def outcome(self, finished_at: datetime, due_at: datetime) -> str:
        """ "late" after ``due_at``; "early" on a local date before the due date; else "on_time"."""
        finished, due = _local(finished_at), _local(due_at)
        if finished > due:
            return "late"
        return "early" if finished.date() < due.date() else "on_time"

    def near_due(self, start: datetime, due_at: datetime, now: datetime, threshold: float = 0.4) -> bool:
        """True when less than ``threshold`` of the working time from ``start`` to ``due_at`` is left
        at ``now`` and the deadline has not passed yet (overdue is reported separately)."""
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if now > due_at:
            return False
        total = self.working_time_between(start, due_at)
        left = self.working_time_between(now, due_at)
        return left < total * threshold

    def near_due_after(self, start: datetime, due_at: datetime, threshold: float = 0.4) -> datetime:
        """The instant T with ``near_due(start, due_at, now) == (T < now <= due_at)`` for every ``now``
        (to the microsecond), so a database can count near-due steps with a range condition.
        Found by bisection on the working time left, which never increases as ``now`` moves on."""
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        wanted = self.working_time_between(start, due_at) * threshold
        if wanted <= timedelta(0):
            return due_at  # no working time: never near due
        low, high = start, due_at  # left(low) >= wanted > left(high)
        step = timedelta(microseconds=1)
        while high - low > step:
            middle = low + (high - low) / 2
            if self.working_time_between(middle, due_at) >= wanted:
                low = middle
            else:
                high = middle
        return low


def _as_time(value: time | str) -> time:
    return parse_hhmm(value) if isinstance(value, str) else value


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
