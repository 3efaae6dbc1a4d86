"""Every shipped workflow, walked through the engine from submission to each of its final states."""

from __future__ import annotations

from collections import deque
from datetime import date
from pathlib import Path

import pytest

from app.procedures.definitions import Procedure, Transition
from app.procedures.graph import SAME_STATE
from app.procedures.loader import ProcedureRegistry, load_procedures
from tests.factories import act, later_appointment, submit

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
# The versions a three-tier deployment receives dossiers under today: an ended version (judicial records
# v1, at the Department of Justice until 28 February 2025) takes no new dossier, and the two-tier versions
# of 2025 are not loaded in this structure.
PROCEDURES = ProcedureRegistry(
    load_procedures(WORKFLOWS, ["province", "district", "commune"]).procedures
).list_current(date.today())


def paths_to_finals(procedure: Procedure) -> dict[str, list[Transition]]:
    """Shortest transition path from the initial state to every final state."""
    start = procedure.initial_state.name
    paths: dict[str, list[Transition]] = {start: []}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for transition in procedure.transitions_from(state):
            if transition.target == SAME_STATE or transition.target in paths:
                continue
            paths[transition.target] = [*paths[state], transition]
            queue.append(transition.target)
    return {name: paths[name] for name, s in procedure.states.items() if s.is_final}


CASES = [
    pytest.param(p, final, path, id=f"{Path(p.source_file).stem}->{final}")
    for p in PROCEDURES
    for final, path in paths_to_finals(p).items()
]


class Walker:
    def __init__(self, make_user, citizen):
        self.make_user = make_user
        self.citizen = citizen
        self.staff: dict[tuple[str, int], object] = {}

    def staff_member(self, role: str, dossier):
        key = (role, dossier.current_unit_id)
        if key not in self.staff:
            self.staff[key] = self.make_user(role, unit=dossier.current_unit.code)
        return self.staff[key]

    def actor(self, transition: Transition, dossier):
        if transition.roles == ("citizen",):
            return self.citizen
        role = next(r for r in transition.roles if r != "citizen")
        return self.staff_member(role, dossier)

    def payload(self, transition: Transition, dossier) -> dict:
        """What the transition's declared inputs ask for (act() brings a required result file)."""
        payload = {"comment": "Ghi chú kiểm thử"}
        if transition.accepts("return_method"):
            payload["return_method"] = "counter"
        if transition.accepts("items"):
            payload["items"] = ["Bản sao giấy tờ còn thiếu"]
        if transition.accepts("assignee"):
            payload["assignee"] = self.staff_member("specialist", dossier).username
        if transition.accepts("new_appointment_at"):
            payload["new_appointment_at"] = later_appointment(dossier)
        return payload


@pytest.mark.parametrize(("procedure", "final", "path"), CASES)
def test_workflow_reaches_final_state(procedure, final, path, make_user):
    citizen = make_user("citizen")
    dossier = submit(citizen, procedure.code)
    walker = Walker(make_user, citizen)
    for transition in path:
        dossier = act(
            dossier, transition.name, walker.actor(transition, dossier), walker.payload(transition, dossier)
        )
    state = procedure.states[final]
    assert dossier.state == final
    assert dossier.national_status == state.national_code
    assert [e.transition for e in dossier.events] == ["submit", *[t.name for t in path]]
    assert all(step.finished_at is not None for step in dossier.steps)
    assert dossier.paused_at is None
    if state.national_code == 10:  # result returned: the clock was measured
        assert dossier.outcome in {"early", "on_time"}
        assert dossier.completed_at is not None and dossier.returned_at is not None
        assert all(step.outcome is not None for step in dossier.steps)


def test_every_shipped_procedure_is_walked():
    assert {Path(p.source_file).stem for p in PROCEDURES} >= {
        "birth_registration",
        "certified_copy",
        "business_household_registration",
        "construction_permit_house",
        "land_first_certificate",
        "judicial_record_certificate_2025_03",  # at the provincial Police since 1 March 2025
    }
