"""Names in the two-era demo world (app/demo/two_eras.py, app/demo/data/*.csv) that tests use."""

from __future__ import annotations

from datetime import date

from app.demo.two_eras import (
    BRANCH_AN_CHAU,
    BRANCH_PHU_QUOC,
    BRANCH_RACH_GIA,
    CAN_DANG,
    LONG_XUYEN,
    NEW_PROVINCE,
    NEW_PROVINCE_CENTRE,
    PHU_QUOC,
    RACH_GIA,
    section,
)

TWO_ERAS = "province,district,commune;2025-07-01:province,commune"
MERGER_DAY = date(2025, 7, 1)

# The three-tier past (codes of app/demo/seed.py), all ended on 30 Jun 2025.
OLD_PROVINCE = "000.00.00.H01"
OLD_KIEN_GIANG = "000.00.00.H33"
OLD_CHAU_THANH = "000.00.30.H01"  # UBND huyện Châu Thành
OLD_CAN_DANG = "000.21.30.H01"  # UBND xã Cần Đăng (huyện Châu Thành)
OLD_PHU_QUOC_CITY = "000.00.41.H33"  # UBND thành phố Phú Quốc (Kiên Giang)

# The new An Giang (from 1 Jul 2025).
PROVINCE = NEW_PROVINCE
PROVINCE_CENTRE = NEW_PROVINCE_CENTRE
PROVINCE_POLICE = "000.00.06.H91"
CAN_DANG_CENTRE, CAN_DANG_ECONOMY = section(CAN_DANG, 1), section(CAN_DANG, 2)
RACH_GIA_CENTRE, PHU_QUOC_CENTRE = section(RACH_GIA, 1), section(PHU_QUOC, 1)
LONG_XUYEN_CENTRE = section(LONG_XUYEN, 1)
KIEN_HAI, THO_CHAU = "000.90.50.H91", "000.91.50.H91"

__all__ = [
    "BRANCH_AN_CHAU",
    "BRANCH_PHU_QUOC",
    "BRANCH_RACH_GIA",
    "CAN_DANG",
    "CAN_DANG_CENTRE",
    "CAN_DANG_ECONOMY",
    "KIEN_HAI",
    "LONG_XUYEN",
    "LONG_XUYEN_CENTRE",
    "MERGER_DAY",
    "OLD_CAN_DANG",
    "OLD_CHAU_THANH",
    "OLD_KIEN_GIANG",
    "OLD_PHU_QUOC_CITY",
    "OLD_PROVINCE",
    "PHU_QUOC",
    "PHU_QUOC_CENTRE",
    "PROVINCE",
    "PROVINCE_CENTRE",
    "PROVINCE_POLICE",
    "RACH_GIA",
    "RACH_GIA_CENTRE",
    "THO_CHAU",
    "TWO_ERAS",
]
