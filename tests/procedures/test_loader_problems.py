"""Every kind of mistake in a definition file, one row each: the loader names the file, the key path
and what is wrong. Each row breaks one thing in the small valid procedure of `support.MINIMAL`."""

from __future__ import annotations

import pytest

from app.procedures.loader import load_procedures
from tests.procedures.support import LEVELS


def _set(path: str, value):
    """A mutation that sets `a.b[0].c` (indexes in brackets) to value."""

    def mutate(data: dict) -> None:
        keys = path.replace("[", ".").replace("]", "").split(".")
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str):
    def mutate(data: dict) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def _rename(old: str, new: str):
    def mutate(data: dict) -> None:
        data[new] = data.pop(old)

    return mutate


def _rename_in_transition(index: int, old: str, new: str):
    def mutate(data: dict) -> None:
        transition = data["transitions"][index]
        transition[new] = transition.pop(old)

    return mutate


def _add_transition(**fields):
    """A transition of a plain kind (propose: no form, no notification), unless `fields` say otherwise."""
    kind = {} if "kind" in fields or "effects" in fields else {"kind": "propose"}

    def mutate(data: dict) -> None:
        data["transitions"].append({"roles": ["leader"], "label": {"vi": "X", "en": "X"}, **kind, **fields})

    return mutate


def _add_state(name: str, **attributes):
    def mutate(data: dict) -> None:
        data["states"][name] = {"label": {"vi": "X", "en": "X"}, "national": 4, **attributes}

    return mutate


def _both(*mutations):
    def mutate(data: dict) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


_DOC = {
    "key": "don",
    "name": {"vi": "Đơn", "en": "Form"},
    "required": False,
    "types": ["image/png"],
    "max_size_mb": 5,
}
_FIELD = {"key": "full_name", "label": {"vi": "Tên", "en": "Name"}, "type": "string", "required": False}

BROKEN = [
    # missing, unknown (typo) and wrongly typed keys
    ("missing key", _delete("name"), "name: missing required key"),
    ("missing nested key", _delete("name.en"), "name.en: missing required key"),
    (
        "top-level typo",
        _rename("competent_level", "competent_levle"),
        "competent_levle: unknown key (did you mean 'competent_level'?)",
    ),
    (
        "typo in a transition",
        _rename_in_transition(0, "guards", "gaurds"),
        "transitions[0].gaurds: unknown key (did you mean 'guards'?)",
    ),
    ("version not an integer", _set("version", "one"), "version: must be an integer, got a string"),
    ("code not quoted", _set("code", 1.001193), 'code: must be a string; quote it: "1.001193"'),
    (
        "code format",
        _set("code", "1001193"),
        "code: '1001193' is not a national procedure code like \"1.001193\"",
    ),
    ("bad date", _set("effective_from", "2025-13-01"), "effective_from: must be a date YYYY-MM-DD"),
    ("name not a mapping", _set("name", "Thủ tục"), "name: must be a mapping, got a string"),
    # levels, channels, online level, fee
    (
        "unknown competent level",
        _set("competent_level", "ward"),
        "competent_level: unknown level 'ward' (expected one of: province, district, commune)",
    ),
    ("unknown receiving level", _set("receiving.level", "hamlet"), "receiving.level: unknown level 'hamlet'"),
    ("receiving kinds empty", _set("receiving.kinds", []), "receiving.kinds: must not be empty"),
    ("unknown channel", _set("channels", ["online", "fax"]), "channels[1]: unknown channel 'fax'"),
    ("duplicate channel", _set("channels", ["online", "online"]), "channels[1]: duplicate channel 'online'"),
    ("unknown online level", _set("online_level", "level_4"), "online_level: unknown online level 'level_4'"),
    (
        "toan_trinh without online",
        _set("channels", ["counter"]),
        "online_level: toan_trinh needs the online channel",
    ),
    ("negative fee", _set("fee.amount", -1), "fee.amount: must be at least 0, got -1"),
    # deadlines
    (
        "two deadline kinds",
        _set("deadline", {"working_days": 3, "same_day": True}),
        "deadline: needs exactly one of working_days, working_hours, same_day "
        "(found: working_days, same_day)",
    ),
    (
        "no deadline kind",
        _set("deadline", {}),
        "deadline: needs exactly one of working_days, working_hours, same_day (found: none)",
    ),
    ("same_day false", _set("deadline", {"same_day": False}), "deadline.same_day: must be true"),
    (
        "bad cutoff",
        _set("deadline", {"same_day": True, "cutoff": "25:00"}),
        "deadline.cutoff: must be a quoted time \"HH:MM\", got '25:00'",
    ),
    (
        "cutoff without same_day",
        _set("deadline", {"working_days": 2, "cutoff": "15:00"}),
        "deadline.cutoff: is only allowed with same_day",
    ),
    (
        "zero working days",
        _set("deadline", {"working_days": 0}),
        "deadline.working_days: must be between 1 and 10000, got 0",
    ),
    (
        "deadline typo",
        _set("deadline", {"working_day": 3}),
        "deadline.working_day: unknown key (did you mean 'working_days'?)",
    ),
    # documents and form
    (
        "duplicate document key",
        lambda d: d["documents"].append(dict(_DOC)),
        "documents[1].key: duplicate document key 'don'",
    ),
    (
        "unknown MIME type",
        _set("documents[0].types", ["application/zip"]),
        "documents[0].types[0]: unknown type 'application/zip'",
    ),
    (
        "document too large",
        _set("documents[0].max_size_mb", 501),
        "documents[0].max_size_mb: must be between 1 and 500, got 501",
    ),
    (
        "document size as text",
        _set("documents[0].max_size_mb", "10"),
        "documents[0].max_size_mb: must be an integer, got a string",
    ),
    (
        "unknown kind of copy",
        _set("documents[0].original_copies", "photocopy"),
        "documents[0].original_copies: unknown kind of copy 'photocopy'",
    ),
    (
        "duplicate form key",
        lambda d: d["fields"].append(dict(_FIELD)),
        "fields[1].key: duplicate form field key 'full_name'",
    ),
    (
        "unknown field type",
        _set("fields[0].type", "datetime"),
        "fields[0].type: unknown field type 'datetime'",
    ),
    (
        "choice without choices",
        _set("fields[0].type", "choice"),
        "fields[0].choices: a choice field needs choices",
    ),
    (
        "bad document key",
        _set("documents[0].key", "Đơn đề nghị"),
        "documents[0].key: 'Đơn đề nghị' must be lowercase letters, digits and _, starting with a letter",
    ),
    # states
    (
        "no initial state",
        _set("states.submitted.initial", False),
        "states: needs exactly one initial state, found 0",
    ),
    (
        "two initial states",
        _set("states.accepted.initial", True),
        "states: needs exactly one initial state, found 2 (submitted, accepted)",
    ),
    ("no final state", _set("states.returned.final", False), "states: needs at least one final state"),
    (
        "national code out of range",
        _set("states.accepted.national", 11),
        "states.accepted.national: must be between 1 and 10, got 11",
    ),
    (
        "flag not a boolean",
        _set("states.accepted.paused", "sometimes"),
        "states.accepted.paused: must be true or false, got a string",
    ),
    ("unknown state attribute", _set("states.accepted.colour", "red"), "states.accepted.colour: unknown key"),
    # transitions
    (
        "transitions as a mapping",
        _set("transitions", {"accept": {}}),
        "transitions: must be a non-empty list of transitions",
    ),
    (
        "unknown target state",
        _set("transitions[0].to", "aprroved"),
        "transitions[0].to: unknown state 'aprroved'",
    ),
    (
        "unknown source state",
        _set("transitions[0].from", ["submited"]),
        "transitions[0].from[0]: unknown state 'submited'",
    ),
    ("from not a list", _set("transitions[0].from", "submitted"), "transitions[0].from: must be a list"),
    (
        "unknown role",
        _set("transitions[0].roles", ["clerk"]),
        "transitions[0].roles[0]: unknown role 'clerk'",
    ),
    (
        "unknown guard",
        _set("transitions[0].guards", ["has_documents"]),
        "transitions[0].guards[0]: unknown guard 'has_documents'",
    ),
    (
        "unknown action",
        _set("transitions[4].actions", ["finish", "notify"]),
        "transitions[4].actions[1]: unknown action 'notify'",
    ),
    (
        "requires_comment not a boolean",
        _set("transitions[0].requires_comment", "sometimes"),
        "transitions[0].requires_comment: must be true or false",
    ),
    (
        "duplicate name and source",
        _add_transition(name="accept", **{"from": ["submitted"], "to": "accepted"}),
        "transitions[5].from: transition 'accept' from 'submitted' is already defined at transitions[0]",
    ),
    ("empty step", _set("transitions[0].step", None), "transitions[0].step: must be a mapping, got empty"),
    (
        "open_step without forward_to",
        lambda d: d["transitions"][1].pop("forward_to"),
        "transitions[1].forward_to: required by the open_step action",
    ),
    (
        "step without an action that opens it",
        _set("transitions[4].step", {"name": {"vi": "B", "en": "S"}, "budget": {"working_days": 1}}),
        "transitions[4].step: only used with the start_clock or open_step action",
    ),
    (
        "bad step budget",
        _set("transitions[0].step.budget", {"weeks": 1}),
        "transitions[0].step.budget.weeks: unknown key",
    ),
    (
        "unknown forward level",
        _set("transitions[1].forward_to.under", "region"),
        "transitions[1].forward_to.under: unknown level 'region'",
    ),
    (
        "receiving unit with a level",
        _set("transitions[1].forward_to", {"kind": "@receiving", "level": "district"}),
        "transitions[1].forward_to: '@receiving' takes no level, under or serving",
    ),
    (
        "pause into a running state",
        _set("transitions[2].to", "accepted"),
        "transitions[2].actions: pause_clock leads to 'accepted', which is not a paused state",
    ),
    (
        "resume from a running state",
        _set("transitions[3].from", ["accepted"]),
        "transitions[3].actions: resume_clock from 'accepted', which is not a paused state",
    ),
    # the workflow as a graph
    (
        "final state with a way out",
        _add_transition(name="reopen", **{"from": ["returned"], "to": "accepted"}),
        "transitions[5].from: 'returned' is a final state: it has no way out",
    ),
    (
        "unreachable state",
        _both(
            _add_state("orphan"), _add_transition(name="deliver", **{"from": ["orphan"], "to": "returned"})
        ),
        "states.orphan: unreachable from the initial state 'submitted'",
    ),
    (
        "dead end",
        _both(_add_state("limbo"), _add_transition(name="park", **{"from": ["appraising"], "to": "limbo"})),
        "states.limbo: no final state can be reached from here",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), BROKEN, ids=[case for case, _, _ in BROKEN])
def test_broken_file_reports_file_and_key_path(
    case, mutate, expected, procedure_data, write_yaml, workflow_dir
):
    mutate(procedure_data)
    write_yaml("broken.yaml", procedure_data)

    report = load_procedures(workflow_dir, LEVELS)

    assert report.procedures == []
    assert any(error.startswith(f"broken.yaml: {expected}") for error in report.errors), report.errors
