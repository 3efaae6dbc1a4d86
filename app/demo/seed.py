"""Demo data for An Giang: units for a three-level tree and one account per role and level.

Codes follow QCVN 102:2016 as the province's decision would assign them; a real deployment loads
its own. Idempotent: running it again changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.org.models import Unit
from app.org.services import add_unit

DEMO_PASSWORD = "demo12345"  # noqa: S105  (demo accounts only; documented in the README)
# The second factor (TOTP) of every demo staff account; documented in the README, demo only.
DEMO_TOTP_SECRET = "ANGIANGDEMOTOTPSECRETONLYFORDEMO"  # noqa: S105

PROVINCE = ("000.00.00.H01", "UBND tỉnh An Giang", "An Giang Provincial People's Committee")
PROVINCE_UNITS = [
    (
        "000.00.01.H01",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Public Administration Service Centre",
        "one_stop",
    ),
    ("000.00.02.H01", "Sở Tư pháp", "Department of Justice", "justice"),
    (
        "000.00.03.H01",
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        "natural_resources",
    ),
    ("000.00.04.H01", "Sở Xây dựng", "Department of Construction", "construction"),
    # Issues criminal record certificates (Phiếu lý lịch tư pháp) since 1 March 2025.
    ("000.00.05.H01", "Công an tỉnh An Giang", "An Giang Provincial Police", "police"),
]
DISTRICTS = [
    ("30", "Châu Thành", ["xã Cần Đăng", "xã Vĩnh Hanh", "thị trấn An Châu"]),
    ("31", "Chợ Mới", ["xã Kiến An", "xã Mỹ Hội Đông", "thị trấn Chợ Mới"]),
]
DISTRICT_SECTIONS = [
    ("01", "Bộ phận Một cửa huyện {d}", "{d} District One-stop Section", "one_stop"),
    ("02", "Phòng Tài chính - Kế hoạch huyện {d}", "{d} Finance and Planning Office", "finance_planning"),
    ("03", "Phòng Kinh tế - Hạ tầng huyện {d}", "{d} Economy and Infrastructure Office", "urban_management"),
    (
        "04",
        "Chi nhánh Văn phòng Đăng ký đất đai huyện {d}",
        "{d} Land Registration Office Branch",
        "land_registry",
    ),
]

# username, role, unit code, full name
ACCOUNTS = [
    ("admin", "admin", "000.00.00.H01", "Quản trị hệ thống"),
    ("giamsat.tinh", "supervisor", "000.00.00.H01", "Văn phòng UBND tỉnh (giám sát)"),
    ("tn.tinh", "reception", "000.00.01.H01", "Nguyễn Thị Lan (một cửa tỉnh)"),
    ("cv.tuphap", "specialist", "000.00.02.H01", "Trần Văn Minh (chuyên viên Sở Tư pháp)"),
    ("ld.tuphap", "leader", "000.00.02.H01", "Lê Quốc Hùng (Giám đốc Sở Tư pháp)"),
    ("cv.congan", "specialist", "000.00.05.H01", "Trịnh Văn Đức (cán bộ hồ sơ, Công an tỉnh)"),
    ("ld.congan", "leader", "000.00.05.H01", "Hà Minh Quân (lãnh đạo Công an tỉnh)"),
    ("giamsat.chauthanh", "supervisor", "000.00.30.H01", "Văn phòng UBND huyện Châu Thành"),
    ("ld.chauthanh", "leader", "000.00.30.H01", "Phạm Văn Tâm (Chủ tịch UBND huyện)"),
    ("tn.chauthanh", "reception", "000.01.30.H01", "Võ Thị Hồng (một cửa huyện)"),
    ("cv.tckh", "specialist", "000.02.30.H01", "Đỗ Minh Khoa (Phòng TC-KH)"),
    ("ld.tckh", "leader", "000.02.30.H01", "Huỳnh Văn Lộc (Trưởng phòng TC-KH)"),
    ("cv.ktht", "specialist", "000.03.30.H01", "Ngô Thanh Sơn (Phòng KT-HT)"),
    ("ld.ktht", "leader", "000.03.30.H01", "Bùi Văn Nam (Trưởng phòng KT-HT)"),
    ("cv.vpdk", "specialist", "000.04.30.H01", "Trương Thị Mai (VP Đăng ký đất đai)"),
    ("ld.vpdk", "leader", "000.04.30.H01", "Đặng Văn Phúc (Giám đốc chi nhánh VPĐKĐĐ)"),
    ("tn.candang", "reception", "000.21.30.H01", "Lý Thị Thu (một cửa xã Cần Đăng)"),
    ("cv.candang", "specialist", "000.21.30.H01", "Châu Văn Bình (công chức xã Cần Đăng)"),
    ("ld.candang", "leader", "000.21.30.H01", "Nguyễn Văn An (Chủ tịch UBND xã Cần Đăng)"),
]
CITIZENS = [
    (
        "congdan",
        "089090000123",
        "Nguyễn Văn Công",
        "0912345678",
        "congdan@example.vn",
        "ấp An Hòa, xã Cần Đăng",
    ),
    ("congdan2", "089195000456", "Trần Thị Dân", "0987654321", "congdan2@example.vn", "thị trấn Chợ Mới"),
]


def seed_units() -> None:
    if db.session.scalar(select(Unit).where(Unit.code == PROVINCE[0])) is not None:
        return
    province = add_unit(
        code=PROVINCE[0], name=PROVINCE[1], name_en=PROVINCE[2], level="province", kind="people_committee"
    )
    for code, name, name_en, kind in PROVINCE_UNITS:
        add_unit(code=code, name=name, name_en=name_en, level="province", kind=kind, parent=province)
    for number, district_name, communes in DISTRICTS:
        district = add_unit(
            code=f"000.00.{number}.H01",
            name=f"UBND huyện {district_name}",
            name_en=f"{district_name} District People's Committee",
            level="district",
            kind="people_committee",
            parent=province,
        )
        for section, name, name_en, kind in DISTRICT_SECTIONS:
            add_unit(
                code=f"000.{section}.{number}.H01",
                name=name.format(d=district_name),
                name_en=name_en.format(d=district_name),
                level="district",
                kind=kind,
                parent=district,
            )
        for index, commune in enumerate(communes, start=21):
            add_unit(
                code=f"000.{index}.{number}.H01",
                name=f"UBND {commune}",
                level="commune",
                kind="people_committee",
                parent=district,
            )


def _add_user(username: str, role: str, full_name: str, unit: Unit | None = None, **extra: str) -> None:
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        return
    user = User(username=username, role=role, full_name=full_name, unit=unit, **extra)
    user.set_password(DEMO_PASSWORD)
    if user.needs_second_factor:
        user.totp_secret, user.totp_enabled_at = DEMO_TOTP_SECRET, utcnow()
    db.session.add(user)


def seed_demo() -> None:
    seed_units()
    db.session.flush()
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    for username, role, unit_code, full_name in ACCOUNTS:
        _add_user(username, role, full_name, units[unit_code])
    for username, cid, name, phone, email, address in CITIZENS:
        _add_user(username, "citizen", name, citizen_id=cid, phone=phone, email=email, address=address)
    db.session.flush()
