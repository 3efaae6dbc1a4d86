"""States and transitions of a procedure's workflow, checked against each other and the org levels.

Part of the loader: see `parsing.parse_procedure`. Targets may be "@same" (stay in the current state);
`forward_to.kind` may be "@receiving" (back to the dossier's receiving unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.procedures.definitions import ACTIONS, GUARDS, ROLES, State, StepSpec, Transition, UnitSelector
from app.procedures.graph import SAME_STATE
from app.procedures.validation import (
    Problems,
    boolean,
    choice,
    deadline,
    identifier,
    integer,
    join,
    mapping,
    read,
    string,
    string_list,
    text,
)

RECEIVING_UNIT = "@receiving"  # forward_to kind: back to the dossier's receiving unit


_STATE_FLAGS = ("initial", "final", "paused")


def parse_states(p: Problems, path: str, value: Any) -> tuple[dict[str, State], set[str] | None, bool]:
    """(well-formed states, every declared name, whether the whole section is valid)."""
    if not isinstance(value, dict) or not value:
        p.add(path, "must be a non-empty mapping of state name to its attributes")
        return {}, None, False
    start = len(p.messages)
    states: dict[str, State] = {}
    for raw_name, raw in value.items():
        at = join(path, str(raw_name))
        count = len(p.messages)
        name = identifier(p, at, raw_name)
        item = mapping(p, at, raw, ("label", "national"), _STATE_FLAGS)
        if name is None or item is None:
            continue
        label = read(p, at, item, "label", text)
        national = read(p, at, item, "national", integer, 1, 10)
        flags = {key: boolean(p, join(at, key), item.get(key, False)) for key in _STATE_FLAGS}
        if flags["initial"] and flags["final"]:
            p.add(at, "a state cannot be both initial and final")
        if len(p.messages) == count:
            states[name] = State(name, label, national, flags["initial"], flags["final"], flags["paused"])
    initial = [name for name, raw in value.items() if isinstance(raw, dict) and raw.get("initial") is True]
    if len(initial) != 1:
        listed = f" ({', '.join(map(str, initial))})" if initial else ""
        p.add(path, f"needs exactly one initial state, found {len(initial)}{listed}")
    if not any(isinstance(raw, dict) and raw.get("final") is True for raw in value.values()):
        p.add(path, "needs at least one final state")
    return states, {str(name) for name in value}, len(p.messages) == start


_TRANSITION_REQUIRED = ("name", "from", "to", "roles", "label")
_TRANSITION_OPTIONAL = ("guards", "actions", "step", "forward_to", "requires_comment")


def parse_transitions(
    p: Problems,
    path: str,
    value: Any,
    states: dict[str, State],
    declared: set[str] | None,
    levels: Sequence[str],
) -> tuple[Transition, ...] | None:
    if not isinstance(value, list) or not value:
        p.add(path, "must be a non-empty list of transitions")
        return None
    result: list[Transition] = []
    pairs: dict[tuple[str, str], int] = {}
    start = len(p.messages)
    for index, raw in enumerate(value):
        at = join(path, index)
        transition = _transition(p, at, raw, states, declared, levels)
        if transition is None:
            continue
        for source in transition.sources:
            first = pairs.setdefault((transition.name, source), index)
            if first != index:
                p.add(
                    join(at, "from"),
                    f"transition '{transition.name}' from '{source}' "
                    f"is already defined at {join(path, first)}",
                )
        result.append(transition)
    return tuple(result) if len(p.messages) == start else None


def _transition(
    p: Problems,
    path: str,
    raw: Any,
    states: dict[str, State],
    declared: set[str] | None,
    levels: Sequence[str],
) -> Transition | None:
    item = mapping(p, path, raw, _TRANSITION_REQUIRED, _TRANSITION_OPTIONAL)
    if item is None:
        return None
    count = len(p.messages)
    name = read(p, path, item, "name", identifier)
    sources = read(p, path, item, "from", string_list, what="state")
    for index, source in enumerate(sources or ()):
        if declared is not None and source not in declared:
            p.add(join(join(path, "from"), index), f"unknown state '{source}'")
    target = read(p, path, item, "to", string)
    if target not in (None, SAME_STATE) and declared is not None and target not in declared:
        p.add(join(path, "to"), f"unknown state '{target}'")
    roles = read(p, path, item, "roles", string_list, ROLES, what="role")
    label = read(p, path, item, "label", text)
    guards = _optional_list(p, path, item, "guards", GUARDS, "guard")
    actions = _optional_list(p, path, item, "actions", ACTIONS, "action")
    step = read(p, path, item, "step", _step)
    forward_to = read(p, path, item, "forward_to", _forward_to, levels)
    requires_comment = boolean(p, join(path, "requires_comment"), item.get("requires_comment", False))
    _check_actions(p, path, item, actions or (), sources or (), target, states)
    if len(p.messages) > count:
        return None
    return Transition(
        name, sources, target, roles, label, guards, actions, step, forward_to, requires_comment
    )


def _optional_list(
    p: Problems, path: str, item: dict, key: str, allowed: Sequence[str], what: str
) -> tuple[str, ...] | None:
    return string_list(p, join(path, key), item.get(key, []), allowed, what=what, non_empty=False)


def _check_actions(
    p: Problems,
    path: str,
    item: dict,
    actions: Sequence[str],
    sources: Sequence[str],
    target: str | None,
    states: dict[str, State],
) -> None:
    """Actions that need a step or a destination, and clock actions that must match paused states."""
    opens_step = "start_clock" in actions or "open_step" in actions
    if opens_step and "step" not in item:
        p.add(join(path, "step"), "required by the start_clock and open_step actions")
    if "step" in item and not opens_step:
        p.add(join(path, "step"), "only used with the start_clock or open_step action")
    if "open_step" in actions and "forward_to" not in item:
        p.add(join(path, "forward_to"), "required by the open_step action")
    if "forward_to" in item and "open_step" not in actions:
        p.add(join(path, "forward_to"), "only used with the open_step action")
    if "pause_clock" in actions and target in states and not states[target].is_paused:
        p.add(join(path, "actions"), f"pause_clock leads to '{target}', which is not a paused state")
    if "resume_clock" in actions:
        for source in sources:
            if source in states and not states[source].is_paused:
                p.add(join(path, "actions"), f"resume_clock from '{source}', which is not a paused state")


def _step(p: Problems, path: str, value: Any) -> StepSpec | None:
    data = mapping(p, path, value, ("name", "budget"))
    if data is None:
        return None
    name = read(p, path, data, "name", text)
    budget = read(p, path, data, "budget", deadline)
    return StepSpec(name, budget) if name is not None and budget is not None else None


def _forward_to(p: Problems, path: str, value: Any, levels: Sequence[str]) -> UnitSelector | None:
    data = mapping(p, path, value, ("kind",), ("level", "under"))
    if data is None:
        return None
    count = len(p.messages)
    kind = data.get("kind")
    if kind != RECEIVING_UNIT:
        kind = read(p, path, data, "kind", identifier)
    level = read(p, path, data, "level", choice, levels, "level")
    under = read(p, path, data, "under", choice, levels, "level")
    if kind == RECEIVING_UNIT and ("level" in data or "under" in data):
        p.add(path, f"'{RECEIVING_UNIT}' takes no level or under: it is the dossier's receiving unit")
    return UnitSelector(kind, level, under) if len(p.messages) == count and kind else None
