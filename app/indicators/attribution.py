"""Which units a figure belongs to: the unit tree over time, old units restated under the units that
took their work, and the rows of a ranking.

Two ways to read a period in which units were merged or split (the 2025 reorganisation):
- "as_was": every figure stays with the unit that existed then (an old commune, an old district);
  the ranking of a unit lists its sub-units of the period and the old units whose work it took;
- "restated": every old unit's figures are restated under the unit that carries its work today
  (`app.org.queries.restatement_map`, following single-successor links). A unit that ended without
  a single successor (a split unit, an abolished district) is restated under its parent's unit:
  its figures cannot be divided, so they count in the total of the unit above and in no row below.

The scope of a unit X is the same in both readings, so totals agree: X's subtree, plus every unit
restated under a unit of X's subtree, each with its own subtree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.org.models import Unit
from app.org.queries import restatement_map

STRUCTURES = ("as_was", "restated")
DEFAULT_STRUCTURE = "as_was"


def _overlaps(unit: Unit, start: date, end: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= end) and (
        unit.valid_to is None or unit.valid_to >= start
    )


@dataclass
class UnitTree:
    """Every unit, their children, and where each is restated today (loaded once per request)."""

    units: dict[int, Unit]
    children: dict[int | None, list[int]]
    successor: dict[int, int]  # restatement_map(): old unit -> unit it is restated under
    today: date
    _restated: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, today: date) -> UnitTree:
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        children: dict[int | None, list[int]] = defaultdict(list)
        for unit in sorted(units.values(), key=lambda u: u.code):
            children[unit.parent_id].append(unit.id)
        return cls(units, children, restatement_map(), today)

    @property
    def has_successions(self) -> bool:
        return bool(self.successor)

    def subtree(self, root: int) -> list[int]:
        found, stack = [], [root]
        while stack:
            found.append(uid := stack.pop())
            stack.extend(self.children.get(uid, ()))
        return found

    def restated(self, unit_id: int) -> int:
        """The unit `unit_id`'s figures are restated under today."""
        if unit_id not in self._restated:
            target = self.successor.get(unit_id, unit_id)
            unit = self.units[target]
            if unit.valid_to is not None and unit.valid_to < self.today and unit.parent_id is not None:
                target = self.restated(unit.parent_id)
            self._restated[unit_id] = target
        return self._restated[unit_id]

    def scope(self, root: int | None) -> set[int]:
        """The units whose figures count for `root` (None: every unit)."""
        if root is None:
            return set(self.units)
        inside = set(self.subtree(root))
        heads = {root} | {u for u in self.units if u not in inside and self.restated(u) in inside}
        found: set[int] = set()
        for head in heads:
            found.update(self.subtree(head))
        return found

    def level_of(self, unit_id: int, structure: str) -> str:
        return self.units[self.restated(unit_id) if structure == "restated" else unit_id].level

    def rows(self, root: int | None, structure: str, start: date, end: date) -> list[Unit]:
        """The ranking rows of `root`: as it was in the period (its sub-units of the period and the
        old units whose work it took), or as it is today (its current sub-units)."""
        if structure == "restated":
            return [u for u in self._child_units(root) if u.is_active and u.exists_on(max(end, self.today))]
        found = [u for u in self._child_units(root) if self._was_there(u, start, end)]
        if root is not None:
            inside = set(self.subtree(root))
            for unit in sorted(self.units.values(), key=lambda u: u.code):
                parent_restated = None if unit.parent_id is None else self.restated(unit.parent_id)
                if (
                    unit.id not in inside
                    and self.restated(unit.id) == root
                    and parent_restated != root
                    and _overlaps(unit, start, end)
                ):
                    found.append(unit)
        return found

    def _child_units(self, root: int | None) -> list[Unit]:
        return [self.units[uid] for uid in self.children.get(root, ())]

    @staticmethod
    def _was_there(unit: Unit, start: date, end: date) -> bool:
        """Existed in the period: an active unit, or one that ended (kept for its history)."""
        return _overlaps(unit, start, end) and (unit.is_active or unit.valid_to is not None)

    def keys(
        self, root: int | None, rows: Iterable[Unit], structure: str, units: Iterable[int]
    ) -> dict[int, Any]:
        """unit id -> the row its figures go to (a row's unit id), or `root` when none."""
        owner: dict[int, int] = {}
        for row in rows:
            for uid in self.subtree(row.id):
                owner[uid] = row.id
        if structure == "restated":
            return {u: owner.get(self.restated(u), root) for u in units}
        return {u: owner.get(u, root) for u in units}

    def visible_to(self, root: int) -> set[int]:
        """Units a supervisor of `root` may look at: its scope (own subtree and the old units
        whose work it took)."""
        return self.scope(root)
