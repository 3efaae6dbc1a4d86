"""How a search box is read (app.search.terms): table-driven, no database."""

from __future__ import annotations

import pytest

from app.search.terms import CITIZEN_ID, CODE, CODE_END, NAME, PHONE, normalise_phone, read_term


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("000.21.30.H01-261203-0003", CODE, "000.21.30.H01-261203-0003"),
        ("  000.21.30.h01-261203-0003 ", CODE, "000.21.30.H01-261203-0003"),
        ("000.21.30.H01-261203-12345", CODE, "000.21.30.H01-261203-12345"),
        ("0003", CODE_END, "0003"),
        ("3", CODE_END, "3"),
        ("261203-0003", CODE_END, "261203-0003"),
        ("h01-261203-0003", CODE_END, "H01-261203-0003"),
        ("30.H01-261203-0003", CODE_END, "30.H01-261203-0003"),
        ("089190000777", CITIZEN_ID, "089190000777"),
        ("089 190 000 777", CITIZEN_ID, "089190000777"),
        ("0912345678", PHONE, "0912345678"),
        ("0912 345 678", PHONE, "0912345678"),
        ("0912.345.678", PHONE, "0912345678"),
        ("+84 912 345 678", PHONE, "0912345678"),
        ("84912345678", PHONE, "0912345678"),
        ("(0296) 3852 123", PHONE, "02963852123"),
        ("Trần Thị Thảo", NAME, "tran thi thao"),
        ("tran thi thao", NAME, "tran thi thao"),
        ("Đặng", NAME, "dang"),
        ("nguyen 0003", NAME, "nguyen 0003"),
        ("%_!", NAME, ""),
    ],
)
def test_a_box_is_read_as_one_kind_of_term(typed, kind, value):
    term = read_term(typed)
    assert (term.kind, term.value) == (kind, value)


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_a_blank_box_is_no_term(typed):
    assert read_term(typed) is None


@pytest.mark.parametrize(
    ("stored", "national"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("8491234567", "8491234567"),  # 10 digits starting with 84: not the country code
        ("", None),
        (None, None),
        ("không có", None),
    ],
)
def test_phones_are_compared_in_national_form(stored, national):
    assert normalise_phone(stored) == national
