"""Searching procedures by name ignores Vietnamese diacritics on both sides."""

from __future__ import annotations

import unicodedata

import pytest

from app.procedures.loader import load_procedures
from app.procedures.queries import matches, normalize_text
from tests.procedures.support import LEVELS, SHIPPED

PROCEDURES = {p.code: p for p in load_procedures(SHIPPED, LEVELS).procedures}


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Chứng thực bản sao", "chung thuc ban sao"),
        ("Phiếu lý lịch tư pháp", "phieu ly lich tu phap"),
        ("Giấy phép xây dựng nhà ở riêng lẻ", "giay phep xay dung nha o rieng le"),
        (unicodedata.normalize("NFD", "Hộ kinh doanh"), "ho kinh doanh"),
        ("dang ky", "dang ky"),
    ],
)
def test_normalize_text_folds_diacritics_and_case(text, folded):
    assert normalize_text(text) == folded


@pytest.mark.parametrize(
    ("query", "code", "found"),
    [
        ("khai sinh", "1.001193", True),
        ("Khai Sinh", "1.001193", True),
        ("dang ky khai sinh", "1.001193", True),
        ("Đăng ký khai sinh", "1.001193", True),
        ("đăng ky khai sinh", "1.001193", True),
        ("birth", "1.001193", True),
        ("khai tu", "1.001193", False),
        ("1.001193", "1.001193", True),
        ("ly lich tu phap", "2.000488", True),
        ("giay phep xay dung", "1.009979", True),
        ("ho kinh doanh", "2.000720", True),
        ("chung thuc ban sao", "2.000815", True),
        ("quyen su dung dat", "1.012790", True),
        ("quyen su dung dat", "2.000815", False),
    ],
)
def test_matches_name_words_with_or_without_diacritics(query, code, found):
    assert matches(PROCEDURES[code], query) is found
