"""The `result` key of a procedure version, and what it changes in the workflow's inputs.

    result: {form: electronic | paper | both, collect: [counter, post]}

`form` is what the original result is: `electronic` (a file signed with the issuing agency's digital
signature), `paper` (an original on paper) or `both`; `collect` (paper and both only) how the paper
original reaches the applicant, at the counter and/or by post (default both). Without the key a
version issues an electronic original.

An electronic original is a file, so approval asks for it: every transition of kind `approve` gets
the guard `has_result` (a result file now, or attached before) and with it a required `result_file`.
A paper original is no file: no transition of such a version takes a `result_file` (approve,
complete and attaching documents included), and `has_result` may not be named.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.procedures.definitions import COLLECT_WAYS, RESULT_FORMS, ResultSpec, Transition
from app.procedures.validation import Problems, choice, join, mapping, string_list
from app.procedures.vocabulary import APPROVE, REQUIRED

RESULT_GUARD = "has_result"
RESULT_INPUT = "result_file"


def parse_result(p: Problems, path: str, value: Any) -> ResultSpec | None:
    data = mapping(p, path, value, ("form",), ("collect",))
    if data is None or "form" not in data:
        return None
    form = choice(p, join(path, "form"), data["form"], RESULT_FORMS, "form of result")
    collect: tuple[str, ...] = COLLECT_WAYS
    if "collect" in data:
        if form == "electronic":
            p.add(join(path, "collect"), "only a paper original (paper or both) is collected")
        collect = tuple(
            string_list(p, join(path, "collect"), data["collect"], COLLECT_WAYS, what="way") or ()
        )
    return ResultSpec(form, collect) if form else None


def with_result_inputs(
    p: Problems, path: str, transitions: tuple[Transition, ...], result: ResultSpec
) -> tuple[Transition, ...]:
    """The transitions as the result form wants them (see the module docstring)."""
    if result.is_electronic:
        return tuple(_asks_for_file(t) if t.kind == APPROVE else t for t in transitions)
    for index, transition in enumerate(transitions):
        if RESULT_GUARD in transition.guards:
            p.add(
                join(join(path, index), "guards"),
                f"a paper result ({result.form}) is no file: '{RESULT_GUARD}' cannot be asked for",
            )
    return tuple(
        replace(t, inputs=tuple((k, v) for k, v in t.inputs if k != RESULT_INPUT)) for t in transitions
    )


def _asks_for_file(transition: Transition) -> Transition:
    guards = transition.guards if RESULT_GUARD in transition.guards else (*transition.guards, RESULT_GUARD)
    inputs = dict(transition.inputs)
    inputs[RESULT_INPUT] = REQUIRED
    return replace(transition, guards=guards, inputs=tuple(inputs.items()))
