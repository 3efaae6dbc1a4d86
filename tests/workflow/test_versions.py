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


def test_a_dossier_received_the_day_before_a_new_version_follows_the_old_one_to_the_end(
    app, tmp_path, make_user, user, monkeypatch
):
    """The version in force on the day of receipt is kept for good, even when every later step
    happens under the new version."""
    from tests.clock import Clock

    shutil.copy(WORKFLOWS / "birth_registration.yaml", tmp_path / "birth_registration.yaml")
    v1 = yaml.safe_load((WORKFLOWS / "birth_registration.yaml").read_text(encoding="utf-8"))
    v2 = {**v1, "version": 2, "effective_from": "2026-03-02", "deadline": {"working_days": 2}}
    (tmp_path / "birth_registration_v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True), "utf-8")
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, load_registry(tmp_path, app.config["ORG_LEVELS"]))
    clock = Clock(monkeypatch, "2026-02-27 09:00")  # a Friday; v2 takes effect on Monday

    citizen, officer = make_user("citizen"), user("tn.candang")
    dossier = submit(citizen, "1.001193")
    assert dossier.procedure_version == 1
    clock.at("2026-03-02 08:00")
    dossier = act(dossier, "accept", officer)
    assert dossier.procedure_version == 1
    assert submit(citizen, "1.001193").procedure_version == 2  # a dossier received on the day: v2
    for transition in available_transitions(dossier, officer):
        assert transition in get_registry_version(1).transitions


def get_registry_version(version: int):
    from app.procedures import get_registry

    return get_registry().get("1.001193", version)
