"""Versions are validated against the org structure of their own period: the three-tier past and the
two-tier present in one catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from app.org.structure import Structure, StructureError
from app.procedures.loader import ProcedureRegistry, load_procedures

TWO_ERAS = Structure.parse("province,district,commune;2025-07-01:province,commune")


def test_structure_periods_parse_and_answer_by_date():
    assert TWO_ERAS.levels_on(date(2025, 6, 30)) == ("province", "district", "commune")
    assert TWO_ERAS.levels_on(date(2025, 7, 1)) == ("province", "commune")
    assert TWO_ERAS.all_levels == ("province", "district", "commune")
    assert len(TWO_ERAS.periods_between(date(2025, 1, 1), None)) == 2
    assert len(TWO_ERAS.periods_between(date(2025, 1, 1), date(2025, 6, 30))) == 1
    for broken in ("", "2025-07-01:province", "province;commune", "province;2025-13-01:commune", "a,a"):
        with pytest.raises(StructureError):
            Structure.parse(broken)


def test_a_three_tier_version_may_not_run_into_the_two_tier_period(procedure_data, write_yaml, workflow_dir):
    write_yaml("old.yaml", procedure_data)  # district-level, from 2025-01-01, no end
    report = load_procedures(workflow_dir, TWO_ERAS)
    assert report.errors == [
        "old.yaml: effective_from: uses the level(s) district, which the structure does not have from "
        "2025-07-01: end this version with effective_to or add a version that takes effect that day"
    ]
    write_yaml("old.yaml", {**procedure_data, "effective_to": date(2025, 6, 30)})
    assert load_procedures(workflow_dir, TWO_ERAS).errors == []


def test_a_two_tier_version_replaces_it_and_is_skipped_by_a_three_tier_deployment(
    procedure_data, write_yaml, workflow_dir
):
    write_yaml("old.yaml", procedure_data)
    new = {
        **procedure_data,
        "version": 2,
        "effective_from": date(2025, 7, 1),
        "levels": ["province", "commune"],
        "competent_level": "commune",
    }
    for transition in new["transitions"]:
        if transition.get("forward_to", {}).get("under") == "district":
            transition["forward_to"] = {"kind": transition["forward_to"]["kind"], "under": "@competent"}
    write_yaml("new.yaml", new)
    two_eras = load_procedures(workflow_dir, TWO_ERAS)
    assert two_eras.errors == [] and [p.version for p in two_eras.procedures] == [1, 2]
    registry = ProcedureRegistry(two_eras.procedures)
    assert registry.current("1.000001", date(2025, 6, 30)).version == 1
    assert registry.current("1.000001", date(2025, 7, 1)).version == 2

    three_tier = load_procedures(workflow_dir, ("province", "district", "commune"))
    assert three_tier.errors == [] and [p.version for p in three_tier.procedures] == [1]
    assert three_tier.skipped and three_tier.skipped[0].startswith(
        "new.yaml: written for the levels province, commune"
    )


def test_an_ended_version_is_not_in_force_after_its_last_day(procedure_data, write_yaml, workflow_dir):
    write_yaml(
        "p.yaml", {**procedure_data, "effective_to": date(2025, 3, 31), "replaced_by": {"code": "1.000002"}}
    )
    registry = ProcedureRegistry(load_procedures(workflow_dir, TWO_ERAS).procedures)
    assert registry.find_current("1.000001", date(2025, 3, 31)) is not None
    assert registry.find_current("1.000001", date(2025, 4, 1)) is None
    assert registry.get("1.000001", 1).replaced_by == ("1.000002", None)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"fee": {"amount": 0}, "fees": []}, "fee: give exactly one of fee"),
        ({"effective_to": date(2024, 1, 1)}, "effective_to: must not be before effective_from"),
        (
            {"competent_from": {"field": "missing"}},
            "competent_from.field: must name a form field of type unit",
        ),
        (
            {"deadline": {"working_days": 3, "by_area": {"moon": {"working_days": 9}}}},
            "deadline.by_area.moon: unknown key",
        ),
        ({"receiving": []}, "receiving: must list at least one"),
        ({"legal_basis": {"governing": []}}, "legal_basis.governing"),
    ],
)
def test_new_keys_are_checked(procedure_data, write_yaml, workflow_dir, change, expected):
    write_yaml("p.yaml", {**procedure_data, **change})
    errors = load_procedures(workflow_dir, TWO_ERAS.periods[0].levels).errors
    assert any(expected in error for error in errors), errors
