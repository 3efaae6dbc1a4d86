"""Every procedure version a two-tier province receives dossiers under today, walked through the engine
on the new An Giang's units from submission to each of its final states (the three-tier versions are
walked by tests/workflow/test_walks.py in the design card's structure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.org.structure import Structure
from app.procedures.loader import ProcedureRegistry, load_procedures
from app.workflow.submission import Submission, receiving_units, submit_dossier
from tests.factories import act, form_data, uploads_for
from tests.two_tier.world import TWO_ERAS
from tests.workflow.test_walks import WORKFLOWS, Walker, paths_to_finals

PROCEDURES = ProcedureRegistry(load_procedures(WORKFLOWS, Structure.parse(TWO_ERAS)).procedures).list_current(
    date.today()
)
CASES = [
    pytest.param(p, final, path, id=f"{Path(p.source_file).stem}->{final}")
    for p in PROCEDURES
    for final, path in paths_to_finals(p).items()
]


def _submit(citizen, procedure):
    """Online where the procedure takes it, at the first receiving point in xã Cần Đăng if it has one."""
    from app.core.uow import unit_of_work

    units = receiving_units(procedure, date.today())
    unit = next((u for u in units if "Cần Đăng" in u.name), units[0])
    with unit_of_work():
        return submit_dossier(
            citizen,
            Submission(
                procedure.code, form_data(procedure), uploads=uploads_for(procedure), unit_code=unit.code
            ),
        )


def test_every_two_tier_version_is_walked():
    assert all(p.levels == ("province", "commune") for p in PROCEDURES)
    assert len(PROCEDURES) == 8


@pytest.mark.parametrize(("procedure", "final", "path"), CASES)
def test_two_tier_workflow_reaches_final_state(procedure, final, path, make_user):
    citizen = make_user("citizen")
    dossier = _submit(citizen, procedure)
    walker = Walker(make_user, citizen)
    for transition in path:
        dossier = act(
            dossier, transition.name, walker.actor(transition, dossier), walker.payload(transition, dossier)
        )
    assert dossier.state == final
    assert dossier.national_status == procedure.states[final].national_code
    assert all(step.unit.exists_on(date.today()) for step in dossier.steps)  # only units of today
    assert dossier.paused_at is None
