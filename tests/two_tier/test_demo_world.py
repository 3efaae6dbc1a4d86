"""The two-era demo world: An Giang before the merger (three tiers, to 30 Jun 2025) and the new An
Giang from 1 Jul 2025 (two tiers), in one database, linked by successions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.core.uow import unit_of_work
from app.demo.two_eras import seed_two_eras
from app.extensions import db
from app.org.models import AGENCY_CODE_RE, Unit, UnitServiceArea, UnitSuccession
from app.org.queries import get_unit_by_code, list_units_at_level, list_units_matching, successors
from app.org.structure import current_structure
from tests.two_tier.world import (
    BRANCH_AN_CHAU,
    BRANCH_PHU_QUOC,
    CAN_DANG,
    KIEN_HAI,
    MERGER_DAY,
    OLD_CAN_DANG,
    OLD_CHAU_THANH,
    OLD_KIEN_GIANG,
    OLD_PROVINCE,
    PHU_QUOC,
    PROVINCE,
    THO_CHAU,
)

LAST_OLD_DAY = date(2025, 6, 30)


def test_both_eras_are_seeded_and_linked():
    old_communes = list_units_at_level("commune", LAST_OLD_DAY)
    new_communes = list_units_at_level("commune", MERGER_DAY)
    assert {u.name for u in old_communes} >= {
        "UBND xã Cần Đăng",
        "UBND thị trấn Chợ Mới",
        "UBND phường An Thới",
    }
    assert all(u.code.endswith(("H01", "H33")) for u in old_communes)
    assert len(new_communes) == 102
    kinds = {u.name.split()[1] for u in new_communes}
    assert kinds == {"xã", "phường", "đặc"}  # xã, phường, đặc khu
    assert not list_units_at_level("district", MERGER_DAY)
    assert [u.code for u in list_units_at_level("district", LAST_OLD_DAY)] != []

    assert get_unit_by_code(OLD_PROVINCE).valid_to == LAST_OLD_DAY
    assert [u.code for u in successors(get_unit_by_code(OLD_PROVINCE))] == [PROVINCE]
    assert [u.code for u in successors(get_unit_by_code(OLD_KIEN_GIANG))] == [PROVINCE]
    assert [u.code for u in successors(get_unit_by_code(OLD_CAN_DANG))] == [CAN_DANG]
    split = {u.name for u in successors(get_unit_by_code(OLD_CHAU_THANH))}
    assert split == {f"UBND xã {n}" for n in ("An Châu", "Bình Hòa", "Cần Đăng", "Vĩnh Hanh", "Vĩnh An")}


def test_island_communes_and_their_land_registry_branch():
    phu_quoc = get_unit_by_code(PHU_QUOC)
    assert (phu_quoc.name, phu_quoc.area) == ("UBND đặc khu Phú Quốc", "island")
    assert {get_unit_by_code(c).area for c in (KIEN_HAI, THO_CHAU)} == {"island"}
    assert {c.kind for c in phu_quoc.children} == {"one_stop", "economy", "culture_society", "police"}
    assert all(c.area == "island" for c in phu_quoc.children)
    branch = list_units_matching("land_registry_branch", "province", None, on=MERGER_DAY, serving=phu_quoc)
    assert [u.code for u in branch] == [BRANCH_PHU_QUOC]
    can_dang_centre = next(c for c in get_unit_by_code(CAN_DANG).children if c.kind == "one_stop")
    served = list_units_matching("land_registry_branch", None, None, serving=can_dang_centre)
    assert [u.code for u in served] == [BRANCH_AN_CHAU]
    every_commune = select(func.count(func.distinct(UnitServiceArea.area_id)))
    assert db.session.scalar(every_commune) == 102


def test_every_unit_has_a_level_of_its_period_and_a_qcvn_code():
    structure = current_structure()
    for unit in db.session.scalars(select(Unit)):
        assert AGENCY_CODE_RE.match(unit.code), unit.code
        first_day = unit.valid_from or date(2025, 1, 1)
        assert unit.level in structure.levels_on(first_day), unit
        if unit.valid_to is not None:
            assert unit.level in structure.levels_on(unit.valid_to), unit
        if unit.parent is not None:
            assert unit.parent.exists_on(first_day), unit


def test_seeding_again_changes_nothing():
    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Unit, UnitSuccession, UnitServiceArea)
        ]

    from app.auth.models import User

    before = counts(), db.session.scalar(select(func.count()).select_from(User))
    with unit_of_work():
        seed_two_eras()
    assert (counts(), db.session.scalar(select(func.count()).select_from(User))) == before
