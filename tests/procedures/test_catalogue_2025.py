"""The shipped catalogue as the law stands in 2025–26: every file loads in the two-era structure (three
tiers until 30 June 2025, two since 1 July 2025) and in a three-tier-only deployment, where the two-tier
versions are not loaded; each version's step budgets add up to its deadline, also on islands."""

from __future__ import annotations

from collections import deque
from datetime import date

import pytest

from app.org.structure import Structure
from app.procedures.definitions import Deadline, Procedure
from app.procedures.graph import SAME_STATE
from app.procedures.loader import ProcedureRegistry, load_procedures
from tests.procedures.support import SHIPPED

TWO_ERA = Structure.parse("province,district,commune;2025-07-01:province,commune")
THREE_TIER = Structure.parse("province,district,commune")
HOURS_PER_DAY = 8  # the default working periods, 07:00–11:00 and 13:00–17:00

TWO_TIER_FILES = {
    "birth_registration_2025.yaml",
    "business_household_registration_2025.yaml",
    "certified_copy_2025.yaml",
    "construction_permit_house_2025.yaml",
    "judicial_record_certificate_2025_07.yaml",
    "land_first_certificate_2025.yaml",
    "marriage_registration_2025.yaml",
    "permanent_residence_registration_2025.yaml",
}

ORIGINAL_FILES = {  # the three-tier versions the dossiers of the past follow
    "birth_registration.yaml",
    "business_household_registration.yaml",
    "certified_copy.yaml",
    "construction_permit_house.yaml",
    "judicial_record_certificate.yaml",
    "land_first_certificate.yaml",
}

TWO_ERA_REPORT = load_procedures(SHIPPED, TWO_ERA)
THREE_TIER_REPORT = load_procedures(SHIPPED, THREE_TIER)


def _by_file(report) -> dict[str, Procedure]:
    return {p.source_file: p for p in report.procedures}


def test_every_file_loads_in_the_two_era_structure():
    assert TWO_ERA_REPORT.errors == []
    assert TWO_ERA_REPORT.skipped == []
    assert {(p.code, p.version) for p in TWO_ERA_REPORT.procedures} == {
        ("1.000894", 1),
        ("1.001193", 1),
        ("1.001193", 2),
        ("1.004222", 1),
        ("1.009979", 1),
        ("1.009979", 2),
        ("1.012790", 1),
        ("1.012790", 2),
        ("2.000488", 1),
        ("2.000488", 2),
        ("2.000488", 3),
        ("2.000720", 1),
        ("2.000720", 2),
        ("2.000815", 1),
        ("2.000815", 2),
    }


def test_a_three_tier_only_deployment_skips_the_two_tier_versions_without_errors():
    assert THREE_TIER_REPORT.errors == []
    skipped = {note.split(":", 1)[0] for note in THREE_TIER_REPORT.skipped}
    assert skipped == TWO_TIER_FILES
    assert all(note.endswith("not loaded") for note in THREE_TIER_REPORT.skipped)
    assert not TWO_TIER_FILES & set(_by_file(THREE_TIER_REPORT))


def test_the_three_tier_originals_stay_in_force_where_the_two_tier_versions_are_not_loaded():
    registry = ProcedureRegistry(THREE_TIER_REPORT.procedures)
    today = date(2026, 12, 4)

    current = {p.code: (p.version, p.levels) for p in registry.list_current(today)}

    assert current == {
        "1.001193": (1, ("province", "district", "commune")),
        "1.009979": (1, ("province", "district", "commune")),
        "1.012790": (1, ("province", "district", "commune")),
        "2.000488": (2, ("province", "district", "commune")),
        "2.000720": (1, ("province", "district", "commune")),
        "2.000815": (1, ("province", "district", "commune")),
    }


def test_the_two_tier_versions_are_current_from_1_july_2025():
    registry = ProcedureRegistry(TWO_ERA_REPORT.procedures)

    on_30_june = {p.code: p.version for p in registry.list_current(date(2025, 6, 30))}
    on_1_july = {p.code: p.version for p in registry.list_current(date(2025, 7, 1))}

    assert on_30_june == {
        "1.001193": 1,
        "1.009979": 1,
        "1.012790": 1,
        "2.000488": 2,
        "2.000720": 1,
        "2.000815": 1,
    }
    assert on_1_july == {
        "1.000894": 1,
        "1.001193": 2,
        "1.004222": 1,
        "1.009979": 2,
        "1.012790": 2,
        "2.000488": 3,
        "2.000720": 2,
        "2.000815": 2,
    }
    assert all(p.levels == ("province", "commune") for p in registry.list_current(date(2025, 7, 1)))


@pytest.mark.parametrize(
    ("on", "version", "forwarded_to"),
    [
        (date(2025, 2, 28), 1, "justice"),  # the Department of Justice until 28 February 2025
        (date(2025, 3, 1), 2, "police"),  # the provincial Police from 1 March 2025, still three tiers
        (date(2025, 7, 1), 3, "police"),
    ],
)
def test_judicial_records_move_to_the_provincial_police_on_1_march_2025(on, version, forwarded_to):
    procedure = ProcedureRegistry(TWO_ERA_REPORT.procedures).current("2.000488", on)

    forward = next(t for t in procedure.transitions if t.name == "forward")
    assert procedure.version == version
    assert (forward.forward_to.kind, forward.forward_to.level) == (forwarded_to, "province")
    assert procedure.deadline == Deadline("working_days", 10)


def test_only_the_judicial_record_original_ends_the_others_are_replaced_from_the_new_versions_date():
    originals = {p.code: p for p in TWO_ERA_REPORT.procedures if p.source_file in ORIGINAL_FILES}

    assert {code: p.effective_to for code, p in originals.items() if p.effective_to} == {
        "2.000488": date(2025, 2, 28)
    }
    assert {code: p.replaced_by for code, p in originals.items()} == {
        "1.001193": ("1.001193", 2),
        "1.009979": ("1.009979", 2),
        "1.012790": ("1.012790", 2),
        "2.000488": ("2.000488", 2),
        "2.000720": ("2.000720", 2),
        "2.000815": ("2.000815", 2),
    }


def test_every_version_from_july_2025_cites_its_legal_basis_and_the_provinces_publication():
    recent = [p for p in TWO_ERA_REPORT.procedures if p.effective_from >= date(2025, 7, 1)]

    assert {p.source_file for p in recent} == TWO_TIER_FILES
    for procedure in recent:
        assert "Nghị định số 118/2025/NĐ-CP" in procedure.legal_basis.governing, procedure.source_file
        assert "An Giang" in procedure.legal_basis.publication, procedure.source_file
    assert all(p.legal_basis and p.legal_basis.governing for p in TWO_ERA_REPORT.procedures)


def test_the_first_land_certificate_is_received_anywhere_and_routed_to_the_commune_where_the_land_is():
    land = _by_file(TWO_ERA_REPORT)["land_first_certificate_2025.yaml"]
    field = next(f for f in land.fields if f.key == land.competent_from)

    assert land.no_boundary and land.competent_from == "xa_thua_dat"
    assert (field.type, field.level, field.required) == ("unit", "commune", True)
    assert [(p.level, p.kinds) for p in land.receiving_points] == [
        ("commune", ("one_stop",)),
        ("province", ("one_stop",)),
    ]
    selectors = [
        (t.forward_to.kind, t.forward_to.under, t.forward_to.serving)
        for t in land.transitions
        if t.name == "forward"
    ]
    assert selectors == [
        ("people_committee", "@competent", None),  # the commune verifies the land's origin
        ("land_registry_branch", None, "@competent"),  # the branch serving that commune appraises
        ("people_committee", "@competent", None),  # the commune chair signs
    ]
    assert land.deadline.amount == 20
    assert land.deadline.for_area("island") == Deadline("working_days", 30)
    assert land.deadline.for_area("remote") == Deadline("working_days", 30)


def test_residence_registration_is_cheaper_online():
    residence = _by_file(TWO_ERA_REPORT)["permanent_residence_registration_2025.yaml"]
    on = date(2026, 1, 5)

    assert [line.amount for line in residence.fees_for("counter", on)] == [20000]
    assert [line.amount for line in residence.fees_for("online", on)] == [10000]
    assert residence.receiving_points[0].kinds == ("police",)


def test_household_business_registration_is_free_online_and_a_commune_matter():
    business = _by_file(TWO_ERA_REPORT)["business_household_registration_2025.yaml"]
    on = date(2026, 1, 5)

    assert [line.amount for line in business.fees_for("counter", on)] == [100000]
    assert business.fees_for("online", on) == []
    assert business.competent_level == "commune"
    assert {t.forward_to.kind for t in business.transitions if t.forward_to} == {"economy", "@receiving"}


def _shortest_path_to(procedure: Procedure, target: str):
    start = procedure.initial_state.name
    paths = {start: []}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for transition in procedure.transitions_from(state):
            if transition.target == SAME_STATE or transition.target in paths:
                continue
            paths[transition.target] = [*paths[state], transition]
            queue.append(transition.target)
    return paths[target]


def _in_hours(budget: Deadline) -> int | None:
    if budget.kind == "same_day":
        return None
    return budget.amount * (HOURS_PER_DAY if budget.kind == "working_days" else 1)


AREAS = (None, "island", "remote")


@pytest.mark.parametrize("procedure", TWO_ERA_REPORT.procedures, ids=lambda p: p.source_file)
@pytest.mark.parametrize("area", AREAS)
def test_step_budgets_add_up_to_the_total_deadline(procedure, area):
    """Along the way to the returned result, the legs' budgets make the procedure's deadline: in working
    hours for working-day and working-hour deadlines; a same-day procedure has only same-day legs."""
    legs = [t.step.budget.for_area(area) for t in _shortest_path_to(procedure, "returned") if t.step]
    total = procedure.deadline.for_area(area)

    assert legs, procedure.source_file
    if total.kind == "same_day":
        assert {leg.kind for leg in legs} == {"same_day"}
    else:
        assert sum(_in_hours(leg) or 0 for leg in legs) == _in_hours(total)
        assert all(leg.kind != "same_day" for leg in legs)
