"""Loading workflow definitions: the shipped folder is valid; problems are reported all at once, across
files, with YAML mistakes at their line (one row per kind of mistake is in test_loader_problems.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.procedures.loader import WorkflowDefinitionError, load_procedures, load_registry
from app.procedures.vocabulary import KINDS
from tests.procedures.support import LEVELS, SHIPPED

# What a three-tier deployment loads (the two-tier versions of 2025 are not loaded there; they are
# checked in test_catalogue_2025.py).
SHIPPED_VERSIONS = {
    ("1.001193", 1): "birth_registration.yaml",
    ("2.000815", 1): "certified_copy.yaml",
    ("2.000720", 1): "business_household_registration.yaml",
    ("1.009979", 1): "construction_permit_house.yaml",
    ("1.012790", 1): "land_first_certificate.yaml",
    ("2.000488", 1): "judicial_record_certificate.yaml",
    ("2.000488", 2): "judicial_record_certificate_2025_03.yaml",
}


def test_shipped_workflows_load_without_problems():
    report = load_procedures(SHIPPED, LEVELS)

    assert report.errors == []
    assert {(p.code, p.version): p.source_file for p in report.procedures} == SHIPPED_VERSIONS


def test_shipped_workflows_use_only_kinds_of_the_vocabulary():
    """Every shipped transition is a kind of the vocabulary, so its effects are the kind's."""
    for procedure in load_procedures(SHIPPED, LEVELS).procedures:
        assert {t.kind for t in procedure.transitions} <= set(KINDS), procedure.code
        assert all(t.effects is not None and t.effects.sentence.text.vi for t in procedure.transitions)


def test_land_certificate_budgets_add_up_to_the_total_deadline():
    land = next(p for p in load_procedures(SHIPPED, LEVELS).procedures if p.code == "1.012790")
    legs = [
        t.step.budget.amount
        for t in land.transitions
        if t.step and t.name in ("accept", "forward", "approve")
    ]

    assert land.deadline.amount == 30
    assert legs == [10, 15, 3, 2]
    assert land.states["payment_requested"].national_code == 6
    assert land.states["payment_requested"].is_paused


def test_birth_registration_is_same_day_with_a_cutoff():
    birth = next(p for p in load_procedures(SHIPPED, LEVELS).procedures if p.code == "1.001193")

    assert (birth.deadline.kind, birth.deadline.cutoff) == ("same_day", "15:00")
    assert birth.effective_from == date(2025, 1, 1)
    assert birth.replaced_by == ("1.001193", 2)  # by the two-tier version of 1 July 2025
    assert birth.initial_state.name == "submitted"


def test_start_clock_without_a_step_is_rejected(procedure_data, write_yaml, workflow_dir):
    del procedure_data["transitions"][0]["step"]
    write_yaml("broken.yaml", procedure_data)

    errors = load_procedures(workflow_dir, LEVELS).errors

    assert errors == ["broken.yaml: transitions[0].step: required by the start_clock and open_step actions"]


def test_minimal_procedure_is_valid(procedure_data, write_yaml, workflow_dir):
    write_yaml("ok.yaml", procedure_data)

    report = load_procedures(workflow_dir, LEVELS)

    assert report.errors == []
    assert [p.code for p in report.procedures] == ["1.000001"]


def test_every_problem_of_a_file_is_reported_at_once(procedure_data, write_yaml, workflow_dir):
    procedure_data["competent_level"] = "ward"
    procedure_data["deadline"] = {"working_days": 3, "working_hours": 4}
    procedure_data["documents"][0]["types"] = ["text/plain"]
    procedure_data["states"]["accepted"]["national"] = 0
    procedure_data["transitions"][0]["to"] = "aprroved"
    procedure_data["transitions"][2]["roles"] = ["boss"]
    write_yaml("many.yaml", procedure_data)

    errors = load_procedures(workflow_dir, LEVELS).errors

    assert errors == [
        "many.yaml: competent_level: unknown level 'ward' (expected one of: province, district, commune)",
        "many.yaml: deadline: needs exactly one of working_days, working_hours, same_day "
        "(found: working_days, working_hours)",
        "many.yaml: documents[0].types[0]: unknown type 'text/plain' (expected one of: application/pdf, "
        "image/jpeg, image/png, application/vnd.openxmlformats-officedocument.wordprocessingml.document, "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
        "application/vnd.oasis.opendocument.text)",
        "many.yaml: states.accepted.national: must be between 1 and 10, got 0",
        "many.yaml: transitions[0].to: unknown state 'aprroved'",
        "many.yaml: transitions[2].roles[0]: unknown role 'boss' (expected one of: citizen, reception, "
        "specialist, leader, supervisor, admin)",
    ]


def test_problems_of_every_file_are_reported_together(procedure_data, write_yaml, workflow_dir):
    write_yaml("a.yaml", {**procedure_data, "version": 0})
    write_yaml("b.yaml", {**procedure_data, "code": "2.000002", "online_level": "full"})

    errors = load_procedures(workflow_dir, LEVELS).errors

    assert errors == [
        "a.yaml: version: must be at least 1, got 0",
        "b.yaml: online_level: unknown online level 'full' (expected one of: toan_trinh, mot_phan)",
    ]


RAW_BROKEN = [
    (
        "syntax error",
        'code: "1.000001"\nversion: 1\nname: {vi: Tên, en: Name\nfee: 0\n',
        "bad.yaml: line 4, column 4: YAML syntax error",
    ),
    (
        "tab indentation",
        'code: "1.000001"\nfee:\n\tamount: 0\n',
        "bad.yaml: line 3, column 1: YAML syntax error",
    ),
    (
        "duplicate key",
        'code: "1.000001"\nversion: 1\nversion: 2\n',
        "bad.yaml: line 3: duplicate key 'version'",
    ),
    ("empty file", "", "bad.yaml: (top level): must be a mapping, got empty"),
    ("a list, not a procedure", "- code: 1\n", "bad.yaml: (top level): must be a mapping, got a list"),
    (
        "comma in an unquoted label",
        "name: {vi: Đăng ký, cấp giấy, en: Register}\n",
        "bad.yaml: name.cấp giấy: unknown key (expected one of: vi, en); a comma inside {vi: ..., en: ...} "
        "splits the text: quote it",
    ),
]


@pytest.mark.parametrize(("case", "content", "expected"), RAW_BROKEN, ids=[case for case, _, _ in RAW_BROKEN])
def test_yaml_mistakes_are_reported_with_their_line(case, content, expected, write_yaml, workflow_dir):
    write_yaml("bad.yaml", content)

    errors = load_procedures(workflow_dir, LEVELS).errors

    assert any(error.startswith(expected) for error in errors), errors


def test_unquoted_cutoff_is_caught(procedure_data, write_yaml, workflow_dir):
    # YAML 1.1 reads 15:00 as the base-60 integer 900.
    procedure_data["deadline"] = {"same_day": True, "cutoff": "CUTOFF"}
    text = write_yaml("cutoff.yaml", procedure_data).read_text(encoding="utf-8").replace("CUTOFF", "15:00")
    write_yaml("cutoff.yaml", text)

    errors = load_procedures(workflow_dir, LEVELS).errors

    assert errors == ['cutoff.yaml: deadline.cutoff: must be a quoted time "HH:MM", got 900']


def test_same_code_and_version_in_two_files_is_rejected(procedure_data, write_yaml, workflow_dir):
    write_yaml("a.yaml", procedure_data)
    write_yaml("b.yaml", {**procedure_data, "effective_from": date(2026, 1, 1)})

    report = load_procedures(workflow_dir, LEVELS)

    assert report.errors == ["b.yaml: version: 1.000001 version 1 is already defined in a.yaml"]


def test_two_versions_cannot_take_effect_on_the_same_day(procedure_data, write_yaml, workflow_dir):
    write_yaml("a.yaml", procedure_data)
    write_yaml("b.yaml", {**procedure_data, "version": 2})

    report = load_procedures(workflow_dir, LEVELS)

    assert report.errors == [
        "b.yaml: effective_from: 2025-01-01 is also the effective date of 1.000001 version 1 (a.yaml)"
    ]


def test_levels_come_from_the_configuration(procedure_data, write_yaml, workflow_dir):
    write_yaml("two_tier.yaml", procedure_data)  # competent_level: district

    errors = load_procedures(workflow_dir, ("province", "commune")).errors

    assert (
        "two_tier.yaml: competent_level: unknown level 'district' (expected one of: province, commune)"
        in errors
    )


def test_missing_folder_is_a_problem(tmp_path):
    report = load_procedures(tmp_path / "nowhere", LEVELS)

    assert report.errors == [f"{tmp_path / 'nowhere'}: workflow folder not found"]


def test_load_registry_refuses_a_broken_folder_listing_every_problem(
    procedure_data, write_yaml, workflow_dir
):
    write_yaml("a.yaml", {**procedure_data, "version": 0, "online_level": "full"})

    with pytest.raises(WorkflowDefinitionError) as caught:
        load_registry(workflow_dir, LEVELS)

    message = str(caught.value)
    assert "a.yaml: version: must be at least 1, got 0" in message
    assert "a.yaml: online_level: unknown online level 'full'" in message
    assert len(caught.value.errors) == 2
