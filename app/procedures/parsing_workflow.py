"""States and transitions of a procedure's workflow, checked against each other, the org levels and
the vocabulary (app.procedures.vocabulary).

Part of the loader: see `parsing.parse_procedure`. Targets may be "@same" (stay in the current state);
`forward_to.kind` may be "@receiving" (back to the dossier's receiving unit) or
"@competent". Every workflow also gets
the two transitions the vocabulary adds: the submission (from no state to the initial state) and the
attaching of documents (in any state that is not final).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.auth.roles import Role
from app.procedures.definitions import ROLES, State, StepSpec, Text, Transition, UnitSelector
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
from app.procedures.vocabulary import (
    ACTIONS,
    ADDED_BY_LOADER,
    ATTACH_DOCUMENTS,
    COMMENT_VALUES,
    CONTROL_SHEET,
    DISPATCH,
    FORM_KEYS,
    FORM_NEEDS,
    GUARDS,
    KINDS,
    NOTIFICATION_NEEDS,
    NOTIFICATIONS,
    OPTIONAL,
    QUEUE_VALUES,
    REQUIRED,
    SUBMIT,
    Effects,
    Kind,
    Sentence,
)

RECEIVING_UNIT = "@receiving"  # forward_to kind: back to the dossier's receiving unit
COMPETENT_UNIT = "@competent"  # forward_to kind: the dossier's competent unit (or under/serving it)
UNIT_REFERENCES = (RECEIVING_UNIT, COMPETENT_UNIT)
DECLARABLE_KINDS = tuple(k for k in KINDS if k not in ADDED_BY_LOADER)

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
_TRANSITION_OPTIONAL = ("kind", "effects", "guards", "actions", "step", "forward_to", "requires_comment")


def parse_transitions(
    p: Problems,
    path: str,
    value: Any,
    states: dict[str, State],
    declared: set[str] | None,
    levels: Sequence[str],
) -> tuple[Transition, ...] | None:
    """The declared transitions, checked one by one and then together; then the two the vocabulary
    adds to every workflow (appended after them)."""
    if not isinstance(value, list) or not value:
        p.add(path, "must be a non-empty list of transitions")
        return None
    result: list[tuple[int, Transition]] = []
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
        result.append((index, transition))
    if len(p.messages) != start:
        return None
    _check_together(p, path, result, states)
    if len(p.messages) != start:
        return None
    return (*(t for _, t in result), *_added_by_loader(states))


# --- one transition -------------------------------------------------------------------------------


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
    if name in ADDED_BY_LOADER:
        p.add(join(path, "name"), f"'{name}' is added to every workflow by the loader; do not declare it")
    sources = read(p, path, item, "from", string_list, what="state")
    for index, source in enumerate(sources or ()):
        if declared is not None and source not in declared:
            p.add(join(join(path, "from"), index), f"unknown state '{source}'")
    target = read(p, path, item, "to", string)
    if target not in (None, SAME_STATE) and declared is not None and target not in declared:
        p.add(join(path, "to"), f"unknown state '{target}'")
    roles = read(p, path, item, "roles", string_list, ROLES, what="role")
    label = read(p, path, item, "label", text)
    kind = _kind(p, path, item, name)
    guards = _optional_list(p, path, item, "guards", tuple(GUARDS), "guard")
    actions = _optional_list(p, path, item, "actions", tuple(ACTIONS), "action")
    step = read(p, path, item, "step", _step)
    forward_to = read(p, path, item, "forward_to", _forward_to, levels)
    requires_comment = boolean(p, join(path, "requires_comment"), item.get("requires_comment", False))
    _check_actions(p, path, item, actions or (), sources or (), target, states)
    effects = _effects(p, join(path, "effects"), item.get("effects"), kind, "effects" in item, name)
    if len(p.messages) > count:
        return None
    guards = tuple(dict.fromkeys((*guards, *(kind.guards if kind else ()))))
    forms = effects.forms
    if any(ACTIONS[a].hands_over for a in actions) and CONTROL_SHEET not in forms:
        forms = (*forms, CONTROL_SHEET)
    effects = _replace(effects, forms=forms)
    return Transition(
        name,
        sources,
        target,
        roles,
        label,
        guards,
        actions,
        step,
        forward_to,
        requires_comment,
        kind=kind.name if kind else None,
        effects=effects,
        inputs=_inputs(guards, actions, forward_to, kind, requires_comment),
    )


def _kind(p: Problems, path: str, item: dict, name: str | None) -> Kind | None:
    """The declared kind, else the kind the name is, else None (effects are then declared in full)."""
    if "kind" in item:
        chosen = choice(p, join(path, "kind"), item["kind"], DECLARABLE_KINDS, "kind of transition")
        return KINDS.get(chosen) if chosen else None
    return KINDS[name] if name in DECLARABLE_KINDS else None


def _replace(effects: Effects, **changes: Any) -> Effects:
    from dataclasses import replace

    return replace(effects, **changes)


_EFFECT_KEYS = (
    "sentence",
    "comment",
    "queue",
    "forms",
    "notify",
    "asks_applicant",
    "answers_applicant",
    "withdraws",
)
_EFFECTS_IN_FULL = ("sentence", "comment", "queue")


def _effects(p: Problems, path: str, value: Any, kind: Kind | None, given: bool, name: str | None) -> Effects:
    """The kind's effects with the overrides of `effects:`; without a kind, effects in full."""
    if not given:
        if kind is None:
            p.add(
                path,
                f"'{name}' is not a kind of transition ({', '.join(DECLARABLE_KINDS)}): give `kind:` "
                f"or declare its effects ({', '.join(_EFFECTS_IN_FULL)}, and forms and notify if any)",
            )
            return Effects(Sentence(Text("", "")))
        return kind.effects
    required = () if kind is not None else _EFFECTS_IN_FULL
    data = mapping(p, path, value, required, [k for k in _EFFECT_KEYS if k not in required])
    base = kind.effects if kind is not None else Effects(Sentence(Text("", "")))
    if data is None:
        return base
    changes: dict[str, Any] = {}
    if "sentence" in data:
        sentence = text(p, join(path, "sentence"), data["sentence"])
        changes["sentence"] = Sentence(sentence) if sentence else base.sentence
    for key, allowed in (("comment", COMMENT_VALUES), ("queue", QUEUE_VALUES)):
        if key in data:
            changes[key] = choice(p, join(path, key), data[key], allowed, key)
    if "forms" in data:
        forms = string_list(p, join(path, "forms"), data["forms"], FORM_KEYS, what="form", non_empty=False)
        changes["forms"] = forms or ()
    if "notify" in data:
        changes["notify"] = (
            None
            if data["notify"] is None
            else choice(p, join(path, "notify"), data["notify"], NOTIFICATIONS, "notification")
        )
    for flag in ("asks_applicant", "answers_applicant", "withdraws"):
        if flag in data:
            changes[flag] = boolean(p, join(path, flag), data[flag])
    return _replace(base, **{k: v for k, v in changes.items() if v is not None or k == "notify"})


def _inputs(
    guards: Sequence[str],
    actions: Sequence[str],
    forward_to: UnitSelector | None,
    kind: Kind | None,
    requires_comment: bool,
) -> tuple[tuple[str, str], ...]:
    """What the transition may be given: required by its guards and actions, optional otherwise.
    A hand-off back to the receiving unit needs no unit."""
    found: dict[str, str] = {"comment": REQUIRED if requires_comment else OPTIONAL}

    def add(name: str, requirement: str) -> None:
        found[name] = REQUIRED if REQUIRED in (requirement, found.get(name)) else OPTIONAL

    for guard in guards:
        for name in GUARDS[guard].requires:
            add(name, REQUIRED)
    for action in actions:
        spec = ACTIONS[action]
        for name in spec.requires:
            add(name, REQUIRED)
        for name in spec.accepts:
            if name != "unit" or (forward_to is not None and forward_to.kind not in UNIT_REFERENCES):
                add(name, OPTIONAL)
    for name in kind.accepts if kind else ():
        add(name, OPTIONAL)
    return tuple(found.items())


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
    opens_step = any(ACTIONS[a].opens_step for a in actions)
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
    data = mapping(p, path, value, ("kind",), ("level", "under", "serving"))
    if data is None:
        return None
    count = len(p.messages)
    kind = data.get("kind")
    if kind not in UNIT_REFERENCES:
        kind = read(p, path, data, "kind", identifier)
    level = read(p, path, data, "level", choice, levels, "level")
    under = data.get("under")
    if under != COMPETENT_UNIT:
        under = read(p, path, data, "under", choice, (*levels, COMPETENT_UNIT), "level")
    serving = read(p, path, data, "serving", choice, UNIT_REFERENCES, "unit reference")
    if kind in UNIT_REFERENCES and any(key in data for key in ("level", "under", "serving")):
        p.add(path, f"'{kind}' takes no level, under or serving: it is one unit of the dossier")
    if serving and under:
        p.add(path, "give either under (inside an area) or serving (a service area), not both")
    return UnitSelector(kind, level, under, serving) if len(p.messages) == count and kind else None


# --- the workflow as a whole ----------------------------------------------------------------------


def _check_together(
    p: Problems, path: str, indexed: list[tuple[int, Transition]], states: dict[str, State]
) -> None:
    """Effects that cannot work: a form or notification that prints what the transition does not
    record, a request to the applicant they cannot answer, a pause nothing resumes."""
    transitions = [t for _, t in indexed]
    for index, transition in indexed:
        at = join(path, index)
        for form in transition.effects.forms:
            _check_needs(p, join(at, "effects.forms"), transition, f"form '{form}'", FORM_NEEDS.get(form))
        if transition.effects.notify:
            needs = NOTIFICATION_NEEDS.get(transition.effects.notify)
            _check_needs(
                p,
                join(at, "effects.notify"),
                transition,
                f"notification '{transition.effects.notify}'",
                needs,
            )
        target = transition.target
        if transition.effects.asks_applicant and target != SAME_STATE:
            answers = [
                t
                for t in transitions
                if target in t.sources and t.effects.answers_applicant and Role.CITIZEN in t.roles
            ]
            if not answers:
                p.add(
                    at,
                    f"asks the applicant for documents, but '{target}' has no transition by which the "
                    "applicant answers (kind supplement, roles [citizen])",
                )
        if "pause_clock" in transition.actions and target in states:
            if not any(target in t.sources and "resume_clock" in t.actions for t in transitions):
                p.add(
                    join(at, "actions"),
                    f"pause_clock leads to '{target}', and no transition from it resumes the clock",
                )
        if transition.effects.answers_applicant and Role.CITIZEN not in transition.roles:
            p.add(join(at, "roles"), "the applicant's answer must be a citizen's transition")
        if transition.effects.withdraws and (
            Role.CITIZEN not in transition.roles or target not in states or not states[target].is_final
        ):
            p.add(at, "a withdrawal is the citizen's and leads to a final state")


def _check_needs(
    p: Problems,
    path: str,
    transition: Transition,
    what: str,
    needs: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> None:
    if needs is None:
        return
    actions, guards = needs
    if set(actions) & set(transition.actions) or set(guards) & set(transition.guards):
        return
    wanted = [f"action {a}" for a in actions] + [f"guard {g}" for g in guards]
    p.add(path, f"{what} prints what this transition does not record: it needs {' or '.join(wanted)}")


def _added_by_loader(states: dict[str, State]) -> tuple[Transition, ...]:
    """The submission and the attaching of documents, from the vocabulary's kinds."""
    submit, attach, dispatch = KINDS[SUBMIT], KINDS[ATTACH_DOCUMENTS], KINDS[DISPATCH]
    initial = next((s.name for s in states.values() if s.is_initial), None)
    if initial is None:  # reported with the states
        return ()
    open_states = tuple(name for name, state in states.items() if not state.is_final)
    return (
        Transition(
            SUBMIT,
            (),
            initial,
            submit.roles,
            submit.label,
            kind=SUBMIT,
            effects=submit.effects,
            inputs=_inputs(submit.guards, (), None, submit, False),
        ),
        Transition(
            ATTACH_DOCUMENTS,
            open_states,
            SAME_STATE,
            attach.roles,
            attach.label,
            guards=attach.guards,
            kind=ATTACH_DOCUMENTS,
            effects=attach.effects,
            inputs=_inputs(attach.guards, (), None, attach, False),
        ),
        Transition(
            DISPATCH,
            open_states,
            SAME_STATE,
            dispatch.roles,
            dispatch.label,
            guards=dispatch.guards,
            actions=("set_competent_unit",),
            kind=DISPATCH,
            effects=dispatch.effects,
            inputs=_inputs(dispatch.guards, ("set_competent_unit",), None, dispatch, False),
        ),
    )
