"""Text as typed on the form → the values the dossier validator expects."""

from __future__ import annotations

import pytest

from app.portal.fields import _convert, typed_data, widgets
from app.procedures import get_registry


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("integer", "2", 2),
        ("integer", "100.000.000", 100_000_000),
        ("integer", "1,000", 1000),
        ("integer", "hai", "hai"),
        ("number", "120,5", 120.5),
        ("number", "120.5", 120.5),
        ("number", "1.000,5", 1000.5),
        ("number", "1,000.5", 1000.5),
        ("number", "1.000.000", 1_000_000),
        ("number", "80", 80),
        ("number", "abc", "abc"),
        ("boolean", "true", True),
        ("boolean", "false", False),
        ("date", "2026-11-20", "2026-11-20"),
        ("date", "20/11/2026", "2026-11-20"),
        ("date", "1/2/2026", "2026-02-01"),
        ("cccd", "089 090 000 123", "089090000123"),
        ("string", "Cần Đăng", "Cần Đăng"),
    ],
)
def test_typed_text_converts(kind, text, value):
    assert _convert(kind, text) == value


def test_empty_fields_are_left_out_and_unknown_keys_ignored():
    procedure = get_registry().current("1.001193")
    assert typed_data(procedure, {"child_full_name": "Bé", "father_full_name": "", "nope": "x"}) == {
        "child_full_name": "Bé"
    }


def test_each_field_type_gets_a_fitting_input():
    procedure = get_registry().current("1.009979")  # construction permit: numbers and a boolean
    by_key = {w.key: w for w in widgets(procedure)}
    assert by_key["land_area_m2"].inputmode == "decimal"
    assert by_key["floors"].inputmode == "numeric"
    assert by_key["has_basement"].as_radios
    birth = {w.key: w for w in widgets(get_registry().current("1.001193"))}
    assert birth["child_birth_date"].input == "date"
    assert birth["applicant_phone"].input == "tel" and birth["applicant_email"].input == "email"
    assert birth["child_gender"].as_radios and not birth["applicant_relationship"].as_radios
