"""The workflow as a graph: structural checks run at load time, and the Mermaid rendering.

A transition whose target is "@same" is a self-loop on each of its sources.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from app.procedures.definitions import Procedure, State, Transition
from app.procedures.validation import Problems
from app.procedures.vocabulary import ADDED_BY_LOADER

SAME_STATE = "@same"  # transition target: stay in the current state


def edges(transitions: Iterable[Transition]) -> list[tuple[str, str, str]]:
    """(source, target, transition name) for every source of every transition."""
    return [
        (source, source if t.target == SAME_STATE else t.target, t.name)
        for t in transitions
        for source in t.sources
    ]


def _reachable(start: Iterable[str], links: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for nxt in links.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_workflow(p: Problems, states: Mapping[str, State], transitions: Sequence[Transition]) -> None:
    """Final states are dead ends; every state is reachable; every live state can still end."""
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for index, transition in enumerate(transitions):
        for source in transition.sources:
            if states[source].is_final:
                p.add(f"transitions[{index}].from", f"'{source}' is a final state: it has no way out")
    for source, target, _ in edges(transitions):
        forward.setdefault(source, set()).add(target)
        backward.setdefault(target, set()).add(source)
    initial = next(s.name for s in states.values() if s.is_initial)
    reached = _reachable([initial], forward)
    can_end = _reachable([s.name for s in states.values() if s.is_final], backward)
    for name, state in states.items():
        if name not in reached:
            p.add(f"states.{name}", f"unreachable from the initial state '{initial}'")
        elif not state.is_final and name not in can_end:
            p.add(f"states.{name}", "no final state can be reached from here")


def mermaid(procedure: Procedure) -> str:
    """A Mermaid `stateDiagram-v2`: each transition labelled with its name."""
    lines = ["stateDiagram-v2", f"    %% {procedure.code} v{procedure.version}: {procedure.name.en}"]
    for state in procedure.states.values():
        lines.append(f"    {state.name} : {state.label.vi} ({state.national_code})")
    lines.append(f"    [*] --> {procedure.initial_state.name}")
    declared = [t for t in procedure.transitions if t.name not in ADDED_BY_LOADER]
    for source, target, name in edges(declared):
        lines.append(f"    {source} --> {target} : {name}")
    for state in procedure.states.values():
        if state.is_final:
            lines.append(f"    {state.name} --> [*]")
    return "\n".join(lines) + "\n"
