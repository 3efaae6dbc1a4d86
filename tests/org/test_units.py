"""The unit tree: levels from configuration; a 2-tier province (no districts) works end to end."""

from __future__ import annotations

import pytest

from app.core.errors import ConflictError, ValidationError
from app.org.services import add_unit
from tests.factories import act


def test_units_api_lists_the_demo_tree(client):
    units = {u["code"]: u for u in client.get("/api/v1/units").json}
    assert units["000.00.00.H01"]["level"] == "province" and units["000.00.00.H01"]["parent_code"] is None
    assert units["000.21.30.H01"]["parent_code"] == "000.00.30.H01"
    kinds = {u["kind"] for u in units.values() if u["level"] == "province"}
    assert {"one_stop", "justice", "natural_resources", "construction"} <= kinds
    assert sum(1 for u in units.values() if u["level"] == "commune") == 6


@pytest.mark.parametrize(
    ("code", "level", "field"),
    [
        ("12.34", "commune", "code"),
        ("000.00.09.H01", "hamlet", "level"),
    ],
)
def test_bad_units_are_refused_with_the_field(code, level, field):
    from app.org.queries import get_unit_by_code

    with pytest.raises(ValidationError) as info:
        add_unit(
            code=code,
            name="X",
            level=level,
            kind="people_committee",
            parent=get_unit_by_code("000.00.30.H01"),
        )
    assert field in info.value.details


def test_child_cannot_sit_above_its_parent_and_codes_are_unique():
    from app.org.queries import get_unit_by_code

    commune = get_unit_by_code("000.21.30.H01")
    with pytest.raises(ValidationError):
        add_unit(code="000.99.30.H01", name="X", level="district", kind="one_stop", parent=commune)
    with pytest.raises(ConflictError):
        add_unit(code="000.21.30.H01", name="X", level="commune", kind="people_committee", parent=commune)


def test_two_tier_province_without_districts(app, make_user, monkeypatch):
    """Since 1 Jul 2025: province → commune. A commune directly under the province receives and
    settles a commune procedure through the same engine."""
    from app.core import uow
    from tests.factories import submit

    monkeypatch.setitem(app.config, "ORG_PERIODS", "province,commune")
    province = add_unit(
        code="000.00.00.H02", name="UBND tỉnh Hai Cấp", level="province", kind="people_committee"
    )
    commune = add_unit(
        code="000.00.21.H02", name="UBND xã Mới", level="commune", kind="people_committee", parent=province
    )
    uow.commit()
    assert commune.parent.level == "province"
    citizen = make_user("citizen")
    reception = make_user("reception", unit=commune.code)
    leader = make_user("leader", unit=commune.code)
    specialist = make_user("specialist", unit=commune.code)
    from app.procedures import get_registry

    code = next(p.code for p in get_registry().all() if p.source_file.endswith("birth_registration.yaml"))
    dossier = submit(citizen, code, unit_code=commune.code)
    assert dossier.code.startswith("000.00.21.H02-")
    dossier = act(dossier, "accept", reception)
    dossier = act(dossier, "assign", leader, {"assignee": specialist.username})
    dossier = act(dossier, "propose", specialist)
    dossier = act(dossier, "approve", leader)
    assert dossier.state == "approved" and dossier.steps[0].unit_id == commune.id
