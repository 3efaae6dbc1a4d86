"""A province loads its own units from CSV (`flask seed units FILE`): units with their periods,
successions and service areas; every bad line named at once and nothing loaded; loading again
changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import ValidationError
from app.core.uow import unit_of_work
from app.demo.units_csv import load_units, read_units_csv
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code, list_units_matching, successors
from tests.two_tier.world import PROVINCE, RACH_GIA

HEADER = "code,parent,level,kind,name,name_en,valid_from,valid_to,area,predecessors,served_by,note\n"
GOOD = (
    "# a new island commune taking over phường Rạch Giá's area on 1 Jan 2027, with its own branch\n"
    + HEADER
    + f"000.01.77.H91,{PROVINCE},province,land_registry_branch,Chi nhánh khu vực Hòn Tre,,2027-01-01,,,,,\n"
    + f"000.00.77.H91,{PROVINCE},commune,people_committee,UBND xã Hòn Tre,Hon Tre,2027-01-01,,island,"
    + f"{RACH_GIA},000.01.77.H91,demo\n"
    + "001.00.77.H91,000.00.77.H91,commune,one_stop,Trung tâm PVHCC xã Hòn Tre,,2027-01-01,,island,,,\n"
)


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_a_province_loads_units_with_successions_and_service_areas_once():
    before = _units()
    with unit_of_work():
        result = load_units(read_units_csv(GOOD))
    assert (result.created, result.existing, result.successions, result.service_areas) == (3, 0, 1, 1)
    commune = find_unit_by_code("000.00.77.H91")
    assert (commune.area, str(commune.valid_from), commune.parent.code) == ("island", "2027-01-01", PROVINCE)
    old = find_unit_by_code(RACH_GIA)
    assert str(old.valid_to) == "2026-12-31" and [u.code for u in successors(old)] == ["000.00.77.H91"]
    branch = list_units_matching("land_registry_branch", None, None, serving=commune)
    assert [u.code for u in branch] == ["000.01.77.H91"]

    with unit_of_work():
        again = load_units(read_units_csv(GOOD))
    assert (again.created, again.existing, _units()) == (0, 3, before + 3)


def test_every_bad_line_is_named_and_nothing_is_loaded():
    bad = (
        HEADER
        + f"12.34,{PROVINCE},commune,people_committee,UBND xã Sai Mã,,2027-01-01,,,,,\n"  # line 2: code
        + "000.00.78.H91,000.99.99.H91,commune,people_committee,UBND xã Mồ Côi,,2027-01-01,,,,,\n"  # 3
        + f"000.00.79.H91,{PROVINCE},district,people_committee,UBND huyện Mới,,2027-01-01,,,,,\n"  # 4: level
        + f"000.00.80.H91,{PROVINCE},commune,people_committee,UBND xã Đảo,,2027-01-01,,biển,,,\n"  # 5: area
        + f"000.00.81.H91,{PROVINCE},commune,people_committee,UBND xã Kế,,2027-01-01,,,000.99.98.H91,,\n"  # 6
        + f"000.00.82.H91,{PROVINCE},commune,people_committee,UBND xã Hợp Lệ,,2027-01-01,,,,,\n"  # fine
    )
    before = _units()
    with pytest.raises(ValidationError) as refused, unit_of_work():
        load_units(read_units_csv(bad))
    assert set(refused.value.details) == {f"dòng {n}" for n in (2, 3, 4, 5, 6)}
    assert "V1V2V3" in refused.value.details["dòng 2"] and "district" in refused.value.details["dòng 4"]
    assert _units() == before and find_unit_by_code("000.00.82.H91") is None

    with pytest.raises(ValidationError) as dates:
        read_units_csv(HEADER + f"000.00.83.H91,{PROVINCE},commune,x_kind,Tên,,01/07/2025,,,,,\n")
    assert "YYYY-MM-DD" in dates.value.details["dòng 2"]
    with pytest.raises(ValidationError):
        read_units_csv("code,name\n000.00.84.H91,Thiếu cột\n")


def test_the_seed_units_command_loads_a_file_or_lists_its_problems(app, tmp_path):
    good, bad = tmp_path / "units.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(HEADER + "12.34,,province,people_committee,Sai,,,,,,,\n", encoding="utf-8")
    runner = app.test_cli_runner()

    loaded = runner.invoke(args=["seed", "units", str(good)])
    assert loaded.exit_code == 0, loaded.output
    assert "3 units created, 0 already there" in loaded.output
    refused = runner.invoke(args=["seed", "units", str(bad)])
    assert refused.exit_code == 1 and "dòng 2" in refused.output
