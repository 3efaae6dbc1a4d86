"""Citizen identity number (CCCD, Circular 07/2016/TT-BCA and 59/2021/TT-BCA).

12 digits: 3-digit province code of birth registration, 1 century/gender digit, 2 digits of the
birth year, 6 random digits. Century/gender: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s ...
so a digit is valid only if the birth year it gives is not in the future.
"""

from __future__ import annotations

from datetime import date

PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 "
    "037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 "
    "077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)


def citizen_id_problem(value: str, today: date | None = None) -> str | None:
    """Return a Vietnamese message saying what is wrong, or None if the number is valid."""
    if not isinstance(value, str) or len(value) != 12 or not value.isdigit():
        return "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số"
    if value[:3] not in PROVINCE_CODES:
        return f"Mã tỉnh '{value[:3]}' ở 3 chữ số đầu của CCCD không tồn tại"
    century = 1900 + 100 * (int(value[3]) // 2)
    year = century + int(value[4:6])
    if year > (today or date.today()).year:
        return f"Chữ số thế kỷ/giới tính '{value[3]}' cho năm sinh {year} không hợp lệ"
    return None
