"""A dossier keeps the procedure version it was received under; a new file changes only new dossiers."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import yaml

from app.procedures.loader import load_registry
from app.procedures.queries import EXTENSION_KEY
from app.workflow.engine import available_transitions
from tests.factories import act, submit

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def test_new_version_does_not_change_in_flight_dossiers(app, tmp_path, make_user, user, monkeypatch):
    citizen = make_user("citizen")
    old = submit(citizen, "1.001193")
    assert old.procedure_version == 1

    shutil.copy(WORKFLOWS / "birth_registration.yaml", tmp_path / "birth_registration.yaml")
    v2 = yaml.safe_load((WORKFLOWS / "birth_registration.yaml").read_text(encoding="utf-8"))
    v2["version"] = 2
    v2["effective_from"] = date.today().isoformat()
    v2["deadline"] = {"working_days": 2}
    for transition in v2["transitions"]:
        if transition["name"] == "refuse":
            transition["name"] = "decline"  # renamed in v2: its kind keeps its effects (Mẫu 03 ...)
            transition["kind"] = "refuse"
    (tmp_path / "birth_registration_v2.yaml").write_text(
        yaml.safe_dump(v2, allow_unicode=True), encoding="utf-8"
    )
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, load_registry(tmp_path, app.config["ORG_LEVELS"]))

    new = submit(citizen, "1.001193")
    assert new.procedure_version == 2
    officer = user("tn.candang")
    assert "refuse" in {t.name for t in available_transitions(old, officer)}
    decline = next(t for t in available_transitions(new, officer) if t.name == "decline")
    assert (
        decline.effects == next(t for t in available_transitions(old, officer) if t.name == "refuse").effects
    )
    old = act(old, "accept", officer)
    new = act(new, "accept", officer)
    assert old.steps[0].budget_kind == "same_day"
    assert (new.due_at - new.received_at).days >= 1  # two working days, not same day
