"""The administrative structure over time: which levels a province has in each period.

Vietnam had three tiers (province, district, commune) until 30 June 2025 and has two (province,
commune) since 1 July 2025. A deployment describes its periods in ORG_PERIODS:

    province,district,commune;2025-07-01:province,commune

the first part is in force since always, each later part from its date. A single part (or the older
ORG_LEVELS setting alone) is one structure for all time, such as the design card's three tiers.
Procedure versions are validated against the levels of their own period, units are created at a
level their period has, and the indicators label only the levels a period has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app


class StructureError(ValueError):
    """ORG_PERIODS is not a valid description of periods."""


@dataclass(frozen=True)
class Period:
    valid_from: date | None  # None: since always
    levels: tuple[str, ...]  # top to bottom

    def describe(self) -> str:
        since = f"từ {self.valid_from:%d/%m/%Y}" if self.valid_from else "từ trước"
        return f"{' → '.join(self.levels)} ({since})"


@dataclass(frozen=True)
class Structure:
    periods: tuple[Period, ...]  # in date order, the first one since always

    @classmethod
    def parse(cls, text: str) -> Structure:
        parts = [part.strip() for part in (text or "").split(";") if part.strip()]
        if not parts:
            raise StructureError("ORG_PERIODS is empty: give at least the levels, e.g. province,commune")
        periods: list[Period] = []
        for index, part in enumerate(parts):
            since: date | None = None
            if ":" in part:
                day, _, part = part.partition(":")
                try:
                    since = date.fromisoformat(day.strip())
                except ValueError:
                    raise StructureError(f"ORG_PERIODS: '{day}' is not a date YYYY-MM-DD") from None
            if (index == 0) != (since is None):
                raise StructureError(
                    "ORG_PERIODS: the first period has no date, each later one starts with 'YYYY-MM-DD:'"
                )
            levels = tuple(level.strip() for level in part.split(",") if level.strip())
            if not levels or len(set(levels)) != len(levels):
                raise StructureError(f"ORG_PERIODS: '{part}' must list distinct levels, top to bottom")
            if periods and since is not None and periods[-1].valid_from and since <= periods[-1].valid_from:
                raise StructureError("ORG_PERIODS: periods must be in date order")
            periods.append(Period(since, levels))
        return cls(tuple(periods))

    @classmethod
    def single(cls, levels: Sequence[str]) -> Structure:
        return cls((Period(None, tuple(levels)),))

    def period_on(self, day: date) -> Period:
        found = self.periods[0]
        for period in self.periods[1:]:
            if period.valid_from is not None and period.valid_from <= day:
                found = period
        return found

    def levels_on(self, day: date) -> tuple[str, ...]:
        return self.period_on(day).levels

    def periods_between(self, start: date, end: date | None) -> list[Period]:
        """The periods that overlap [start, end] (end None: open-ended)."""
        found = []
        for index, period in enumerate(self.periods):
            nxt = self.periods[index + 1].valid_from if index + 1 < len(self.periods) else None
            last_day = nxt - timedelta(days=1) if nxt else None
            begins_before_end = end is None or period.valid_from is None or period.valid_from <= end
            ends_after_start = last_day is None or last_day >= start
            if begins_before_end and ends_after_start:
                found.append(period)
        return found

    @property
    def all_levels(self) -> tuple[str, ...]:
        """Every level of any period, top to bottom (a level missing later keeps its place)."""
        ordered: list[str] = []
        for period in self.periods:
            for index, level in enumerate(period.levels):
                if level in ordered:
                    continue
                below = next((lv for lv in period.levels[index + 1 :] if lv in ordered), None)
                ordered.insert(ordered.index(below) if below else len(ordered), level)
        return tuple(ordered)

    @property
    def is_single(self) -> bool:
        return len(self.periods) == 1


def structure_from_config(periods: str | None, levels: Iterable[str] | None) -> Structure:
    """ORG_PERIODS if given, else ORG_LEVELS as one structure for all time."""
    if periods:
        return Structure.parse(periods)
    return Structure.single(list(levels or ("province", "district", "commune")))


def current_structure_of(config: Mapping[str, object]) -> Structure:
    return structure_from_config(config.get("ORG_PERIODS"), config.get("ORG_LEVELS"))  # type: ignore[arg-type]


def current_structure() -> Structure:
    return current_structure_of(current_app.config)
