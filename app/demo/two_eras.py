"""The demo An Giang of both eras in one database, for a deployment whose structure changes on
1 July 2025 (ORG_PERIODS with two periods, the default):

- the three-tier past: the pre-merger An Giang of `app.demo.seed.seed_units` (province, huyện Châu
  Thành and Chợ Mới, their communes), its Sở Nông nghiệp và Môi trường of March 2025, and a part of
  the old Kiên Giang (data/before_2025_07.csv); all of it ends on 30 June 2025;
- the new An Giang from 1 July 2025 (data/an_giang_from_2025.csv): UBND tỉnh, the provincial service
  centre, the merged departments, the police, the land registry office and its regional branches (each
  serving its communes) and the 102 commune-level units (xã, phường, đặc khu) with their service
  centre, offices and police; successions from every old unit of the demo to its new units.

Officers who kept working after the merger (the provincial departments, xã Cần Đăng, the land
registry branch of Châu Thành) have one account that sits at its new unit; `posted_in_old_units()`
puts them back at their old units while the history of the past is written (app.demo.history), so
that history records the unit each of them acted for then. Idempotent: running it again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.auth.models import User
from app.core.uow import unit_of_work
from app.demo.seed import ACCOUNTS, CITIZENS, PROVINCE, PROVINCE_UNITS, _add_user, seed_units
from app.demo.units_csv import load_units_file
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.org.services import add_unit

DATA = Path(__file__).resolve().parent / "data"
UNIT_FILES = ("before_2025_07.csv", "an_giang_from_2025.csv")
MERGER_DAY = date(2025, 7, 1)  # the two-tier structure and the new units begin

NEW_PROVINCE = "000.00.00.H91"
NEW_PROVINCE_CENTRE = "000.00.01.H91"
# Commune-level units of the new era the demo staffs (UBND codes; sections: 001 centre, 002 economy,
# 003 culture and society, 004 police, in the first group of the code).
CAN_DANG, RACH_GIA, PHU_QUOC, LONG_XUYEN = "000.24.50.H91", "000.55.50.H91", "000.92.50.H91", "000.02.50.H91"
BRANCH_AN_CHAU, BRANCH_RACH_GIA, BRANCH_PHU_QUOC = "006.01.03.H91", "012.01.03.H91", "022.01.03.H91"


def section(commune_code: str, number: int) -> str:
    """The code of section `number` (1 centre, 2 economy, 3 culture and society, 4 police) of a commune."""
    return f"{number:03d}{commune_code[3:]}"


# username -> (old unit, new unit): the same officer before and after the merger.
POSTS = {
    "admin": ("000.00.00.H01", NEW_PROVINCE),
    "giamsat.tinh": ("000.00.00.H01", NEW_PROVINCE),
    "tn.tinh": ("000.00.01.H01", NEW_PROVINCE_CENTRE),
    "cv.tuphap": ("000.00.02.H01", "000.00.02.H91"),
    "ld.tuphap": ("000.00.02.H01", "000.00.02.H91"),
    "cv.congan": ("000.00.05.H01", "000.00.06.H91"),
    "ld.congan": ("000.00.05.H01", "000.00.06.H91"),
    "cv.vpdk": ("000.04.30.H01", BRANCH_AN_CHAU),
    "ld.vpdk": ("000.04.30.H01", BRANCH_AN_CHAU),
    "tn.candang": ("000.21.30.H01", section(CAN_DANG, 1)),
    "cv.candang": ("000.21.30.H01", CAN_DANG),
    "ld.candang": ("000.21.30.H01", CAN_DANG),
}
# Accounts of the new era only: username, role, unit code, full name.
NEW_ACCOUNTS = [
    ("admin", "admin", NEW_PROVINCE, "Quản trị hệ thống"),
    ("cv.nnmt", "specialist", "000.00.03.H91", "Phan Thị Ngọc (chuyên viên Sở NN&MT)"),
    ("ld.nnmt", "leader", "000.00.03.H91", "Tạ Văn Hải (Giám đốc Sở NN&MT)"),
    ("cv.xaydung", "specialist", "000.00.05.H91", "Lâm Quốc Việt (chuyên viên Sở Xây dựng)"),
    ("cv.vpdk.rachgia", "specialist", BRANCH_RACH_GIA, "Dương Thị Kim (Chi nhánh VPĐKĐĐ khu vực Rạch Giá)"),
    ("ld.vpdk.rachgia", "leader", BRANCH_RACH_GIA, "Kha Văn Trọng (Giám đốc chi nhánh khu vực Rạch Giá)"),
    ("cv.vpdk.phuquoc", "specialist", BRANCH_PHU_QUOC, "Mai Thị Hạnh (Chi nhánh VPĐKĐĐ khu vực Phú Quốc)"),
    ("ld.vpdk.phuquoc", "leader", BRANCH_PHU_QUOC, "Âu Văn Thành (Giám đốc chi nhánh khu vực Phú Quốc)"),
    ("kt.candang", "specialist", section(CAN_DANG, 2), "Quách Văn Lợi (Phòng Kinh tế xã Cần Đăng)"),
    ("ldkt.candang", "leader", section(CAN_DANG, 2), "Trịnh Thị Mai (Trưởng phòng Kinh tế xã Cần Đăng)"),
    ("ca.candang", "reception", section(CAN_DANG, 4), "Thạch Văn Sang (Công an xã Cần Đăng)"),
    ("cvca.candang", "specialist", section(CAN_DANG, 4), "Kim Thị Sa Ry (cán bộ đăng ký cư trú)"),
    ("ldca.candang", "leader", section(CAN_DANG, 4), "Danh Văn Tuấn (Trưởng Công an xã Cần Đăng)"),
    ("giamsat.rachgia", "supervisor", RACH_GIA, "Văn phòng HĐND và UBND phường Rạch Giá"),
    ("tn.rachgia", "reception", section(RACH_GIA, 1), "Lưu Thị Hoa (Trung tâm PVHCC phường Rạch Giá)"),
    ("cv.rachgia", "specialist", RACH_GIA, "Tô Văn Khánh (công chức phường Rạch Giá)"),
    ("ld.rachgia", "leader", RACH_GIA, "Huỳnh Thị Yến (Chủ tịch UBND phường Rạch Giá)"),
    ("kt.rachgia", "specialist", section(RACH_GIA, 2), "La Minh Triết (Phòng KT, HT và ĐT phường Rạch Giá)"),
    (
        "ldkt.rachgia",
        "leader",
        section(RACH_GIA, 2),
        "Lý Văn Sơn (Trưởng phòng KT, HT và ĐT phường Rạch Giá)",
    ),
    ("tn.phuquoc", "reception", section(PHU_QUOC, 1), "Trần Thị Biển (Trung tâm PVHCC đặc khu Phú Quốc)"),
    ("cv.phuquoc", "specialist", PHU_QUOC, "Nguyễn Văn Đảo (công chức đặc khu Phú Quốc)"),
    ("ld.phuquoc", "leader", PHU_QUOC, "Lê Văn Hòn (Chủ tịch UBND đặc khu Phú Quốc)"),
    ("kt.phuquoc", "specialist", section(PHU_QUOC, 2), "Hồ Thị Sương (Phòng KT, HT và ĐT đặc khu Phú Quốc)"),
    ("ldkt.phuquoc", "leader", section(PHU_QUOC, 2), "Phạm Thị Ngọc Hân (Trưởng phòng KT, HT và ĐT đặc khu)"),
    ("tn.longxuyen", "reception", section(LONG_XUYEN, 1), "Cao Thị Mỹ (Trung tâm PVHCC phường Long Xuyên)"),
    ("cv.longxuyen", "specialist", LONG_XUYEN, "Đinh Văn Xuyên (công chức phường Long Xuyên)"),
    ("ld.longxuyen", "leader", LONG_XUYEN, "Võ Minh Long (Chủ tịch UBND phường Long Xuyên)"),
]
# The past only: the old province's supervisor, to read the three-tier indicators as they were.
OLD_ACCOUNTS = [
    ("giamsat.tinhcu", "supervisor", "000.00.00.H01", "Văn phòng UBND tỉnh An Giang (đến 30/6/2025)")
]


def seed_structure() -> None:
    """Units of both eras, their successions and service areas (flush only)."""
    seed_units()
    db.session.flush()
    _complete_old_province()
    for name in UNIT_FILES:
        load_units_file(DATA / name)


def _complete_old_province() -> None:
    """Provincial units the three-tier seed gained later (the police, for criminal records since
    March 2025), for a database seeded before them: `seed_units` stops at an existing province."""
    province = find_unit_by_code(PROVINCE[0])
    for code, name, name_en, kind in PROVINCE_UNITS:
        if find_unit_by_code(code) is None:
            add_unit(code=code, name=name, name_en=name_en, level="province", kind=kind, parent=province)


def _units() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(select(Unit))}


def seed_accounts() -> None:
    """The officers of both eras and the demo citizens (flush only); existing accounts are kept."""
    units = _units()
    for username, role, code, full_name in NEW_ACCOUNTS + OLD_ACCOUNTS:
        _add_user(username, role, full_name, units[code])
    new_names = {account[0] for account in NEW_ACCOUNTS}
    for username, role, code, full_name in ACCOUNTS:
        if username not in new_names:  # the administrator sits at the new province
            _add_user(username, role, full_name, units[POSTS.get(username, (code, code))[1]])
    for username, cid, name, phone, email, address in CITIZENS:
        _add_user(username, "citizen", name, citizen_id=cid, phone=phone, email=email, address=address)
    db.session.flush()
    _post(1)  # accounts of a database seeded before the two eras existed move to their new units too


def seed_two_eras() -> None:
    """Both eras' units and accounts (flush only; the caller's unit of work commits)."""
    seed_structure()
    seed_accounts()


@contextmanager
def posted_in_old_units() -> Iterator[None]:
    """While the block runs, the officers who changed unit at the merger sit at their old units
    (each move in a unit of work of its own: the services inside commit as they go)."""
    with unit_of_work():
        _post(0)
    try:
        yield
    finally:
        with unit_of_work():
            _post(1)


def _post(era: int) -> None:
    units = _units()
    for user in db.session.scalars(select(User).where(User.username.in_(POSTS))):
        user.unit = units[POSTS[user.username][era]]
    db.session.flush()
