"""Targets as data: which rate each indicator is compared with, for which level, in which period,
and from which plan or decision (`targets.yaml`, or the file INDICATOR_TARGETS_FILE names).

The target of a period is the one in force on its last day, else the last one in force during
it: a report for June 2025 is judged by the 2019–2025 plan, one for 2027 by the 2030 targets. A
level has targets only in periods the administrative structure has it (no district target after
the districts ended), and the page shows each target with its source and the day it applies from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from app.org.structure import Structure

log = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).with_name("targets.yaml")
EXTENSION_KEY = "indicator_targets"
METRICS = (
    "online_share",
    "satisfaction_rate",
    "fully_online",
    "on_time_rate",
    "digitised_inputs",
    "electronic_results",
    "reused_documents",
    "online_payment_share",
    "national_synced",
)
STANDARD_LEVELS = ("province", "district", "commune")


class TargetsError(ValueError):
    """The targets file is not valid; the message lists every problem."""


@dataclass(frozen=True)
class Target:
    metric: str
    value: float
    valid_from: date
    valid_to: date | None
    source_vi: str
    source_en: str
    confirmed: bool
    level: str | None = None
    note_vi: str = ""
    note_en: str = ""
    short_vi: str = ""
    short_en: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, start: date, end: date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)

    def source(self, lang: str = "vi") -> str:
        return self.source_en if lang == "en" and self.source_en else self.source_vi

    def note(self, lang: str = "vi") -> str:
        return self.note_en if lang == "en" and self.note_en else self.note_vi

    def short(self, lang: str = "vi") -> str:
        """The source in a few words (the full one when none is given)."""
        text = self.short_en if lang == "en" and self.short_en else self.short_vi
        return text or self.source(lang)

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "metric": self.metric,
            "level": self.level,
            "value": self.value,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source(lang),
            "confirmed": self.confirmed,
            "note": self.note(lang),
        }


def _text(value: Any, where: str, problems: list[str], required: bool = True) -> tuple[str, str]:
    if isinstance(value, str):
        return value, ""
    if isinstance(value, dict) and isinstance(value.get("vi"), str):
        return value["vi"], value.get("en") or ""
    if value is None and not required:
        return "", ""
    problems.append(f"{where}: a text, or {{vi, en}}")
    return "", ""


def _date(value: Any, where: str, problems: list[str], required: bool) -> date | None:
    if value is None and not required:
        return None
    if isinstance(value, date):
        return value
    problems.append(f"{where}: a date YYYY-MM-DD")
    return None


def _entry(raw: Any, index: int, structure: Structure, problems: list[str]) -> Target | None:
    where = f"targets[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: a mapping")
        return None
    known = {"metric", "level", "value", "valid_from", "valid_to", "short", "source", "confirmed", "note"}
    unknown = set(raw) - known
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    metric, level, value = raw.get("metric"), raw.get("level"), raw.get("value")
    if metric not in METRICS:
        problems.append(f"{where}.metric: '{metric}' is not one of {', '.join(METRICS)}")
    if level is not None and level not in set(structure.all_levels) | set(STANDARD_LEVELS):
        problems.append(
            f"{where}.level: '{level}' is not a level of the structure ({', '.join(structure.all_levels)})"
        )
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        problems.append(f"{where}.value: a rate between 0 and 1")
        value = 0
    valid_from = _date(raw.get("valid_from"), f"{where}.valid_from", problems, True)
    valid_to = _date(raw.get("valid_to"), f"{where}.valid_to", problems, False)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(f"{where}.valid_to: before valid_from")
    source = _text(raw.get("source"), f"{where}.source", problems)
    note = _text(raw.get("note"), f"{where}.note", problems, required=False)
    short = _text(raw.get("short"), f"{where}.short", problems, required=False)
    if not isinstance(raw.get("confirmed"), bool):
        problems.append(f"{where}.confirmed: true or false")
    if valid_from is None:
        return None
    return Target(
        metric, float(value), valid_from, valid_to, *source, bool(raw.get("confirmed")), level, *note, *short
    )


def parse_targets(text: str, structure: Structure, name: str = "targets") -> tuple[Target, ...]:
    """Every target of the file, checked; TargetsError lists every problem at once."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TargetsError(f"{name}: not YAML: {exc}") from exc
    problems: list[str] = []
    if not isinstance(data, list):
        raise TargetsError(f"{name}: a list of targets")
    found = [t for i, raw in enumerate(data) if (t := _entry(raw, i, structure, problems)) is not None]
    for i, first in enumerate(found):
        for second in found[i + 1 :]:
            same = (first.metric, first.level) == (second.metric, second.level)
            if same and first.overlaps(second.valid_from, second.valid_to or date.max):
                problems.append(
                    f"{name}: two targets of {first.metric}"
                    f"{' (' + first.level + ')' if first.level else ''} overlap "
                    f"({first.valid_from} and {second.valid_from})"
                )
    if problems:
        raise TargetsError(f"{name}: " + "; ".join(problems))
    return tuple(found)


def load_targets(app: Flask) -> tuple[Target, ...]:
    from app.org.structure import current_structure_of

    path = Path(app.config.get("INDICATOR_TARGETS_FILE") or DEFAULT_FILE)
    return parse_targets(path.read_text(encoding="utf-8"), current_structure_of(app.config), path.name)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = load_targets(app)


def all_targets() -> tuple[Target, ...]:
    return current_app.extensions[EXTENSION_KEY]


@lru_cache(maxsize=512)
def _levels_of(periods: Any, levels: Any, start: date, end: date) -> frozenset[str]:
    from app.org.structure import structure_from_config

    structure = structure_from_config(periods, levels)
    return frozenset(lv for period in structure.periods_between(start, end) for lv in period.levels)


def levels_during(start: date, end: date) -> frozenset[str]:
    """The levels the administrative structure has at some time in [start, end]."""
    config = current_app.config
    levels = config.get("ORG_LEVELS")
    return _levels_of(config.get("ORG_PERIODS"), tuple(levels) if levels else None, start, end)


def _level_exists(level: str | None, start: date, end: date) -> bool:
    return level is None or level in levels_during(start, end)


def target_for(metric: str, level: str | None, start: date, end: date) -> Target | None:
    """The target of `metric` (for units of `level`) for the period [start, end]: in force on `end`,
    else the last one in force during the period; None where there is none, or where the period
    has no such level."""
    if not _level_exists(level, start, end):
        return None
    candidates = [
        t for t in all_targets() if t.metric == metric and t.level == level and t.overlaps(start, end)
    ]
    if not candidates:
        return None
    on_end = [t for t in candidates if t.in_force_on(end)]
    return (on_end or sorted(candidates, key=lambda t: t.valid_from))[-1]


def targets_in(start: date, end: date) -> list[Target]:
    """The targets a period is judged by: one per metric and level (see target_for)."""
    keys = sorted(
        {(t.metric, t.level) for t in all_targets()}, key=lambda k: (METRICS.index(k[0]), k[1] or "")
    )
    found = [target_for(metric, level, start, end) for metric, level in keys]
    return [t for t in found if t is not None]


def value(metric: str, level: str | None, start: date, end: date) -> float | None:
    target = target_for(metric, level, start, end)
    return target.value if target else None
