"""`flask workflows graph` draws the workflow as a Mermaid state diagram."""

from __future__ import annotations

import pytest

from app.procedures.graph import mermaid
from app.procedures.loader import load_procedures
from app.procedures.vocabulary import ADDED_BY_LOADER
from tests.procedures.support import LEVELS, SHIPPED

PROCEDURES = load_procedures(SHIPPED, LEVELS).procedures


@pytest.mark.parametrize("procedure", PROCEDURES, ids=[p.source_file for p in PROCEDURES])
def test_mermaid_shows_every_transition(procedure):
    lines = mermaid(procedure).splitlines()

    assert lines[0] == "stateDiagram-v2"
    assert f"    [*] --> {procedure.initial_state.name}" in lines
    for transition in procedure.transitions:
        if transition.name in ADDED_BY_LOADER:  # in every workflow: not drawn
            assert f": {transition.name}" not in "\n".join(lines)
            continue
        for source in transition.sources:
            target = source if transition.target == "@same" else transition.target
            assert f"    {source} --> {target} : {transition.name}" in lines
    for state in procedure.states.values():
        assert (f"    {state.name} --> [*]" in lines) is state.is_final


def test_mermaid_labels_states_with_their_national_code():
    birth = next(p for p in PROCEDURES if p.code == "1.001193")

    assert "    returned : Đã trả kết quả (10)" in mermaid(birth).splitlines()
