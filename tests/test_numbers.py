"""One way to write numbers (app.core.numbers): Vietnamese 1.234.567 and 12,5 %, English 1,234,567
and 12.5%, on pages (Jinja filters), in PDFs and in messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.numbers import NBSP, format_number, format_percent


@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [
        (1234567, None, "1.234.567", "1,234,567"),
        (1234567, 0, "1.234.567", "1,234,567"),
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234.5, None, "1.234,5", "1,234.5"),
        (3, None, "3", "3"),
        (3.25, None, "3,25", "3.25"),
        (3.256, None, "3,26", "3.26"),
        (0.125, 2, "0,13", "0.13"),  # half away from zero
        (2.5, 0, "3", "3"),
        (-1234.5, 1, "-1.234,5", "-1,234.5"),
        (-0.001, 1, "0,0", "0.0"),
        (Decimal("999999.995"), 2, "1.000.000,00", "1,000,000.00"),
        (None, None, "—", "—"),
    ],
)
def test_numbers_in_each_language(value, digits, vi, en):
    assert format_number(value, digits, "vi") == vi
    assert format_number(value, digits, "en") == en


@pytest.mark.parametrize(
    ("rate", "vi", "en"),
    [
        (0.125, f"12,5{NBSP}%", "12.5%"),
        (0.5, f"50{NBSP}%", "50%"),
        (1, f"100{NBSP}%", "100%"),
        (2 / 3, f"66,7{NBSP}%", "66.7%"),
        (0.00049, f"0{NBSP}%", "0%"),
        (12.3456, f"1.234,6{NBSP}%", "1,234.6%"),
        (None, "—", "—"),
    ],
)
def test_percentages_in_each_language(rate, vi, en):
    assert format_percent(rate, lang="vi") == vi
    assert format_percent(rate, lang="en") == en


def test_pages_take_the_request_language_and_the_filters_are_there(app):
    # values as a page has them (constants would be folded when the template is compiled)
    template = app.jinja_env.from_string("{{ n|number }} · {{ r|percent }} · {{ x|number(1) }}")
    values = {"n": 41815, "r": 0.523, "x": 3.5}
    with app.test_request_context("/?lang=en"):
        from flask import g

        g.lang = "en"
        assert template.render(values) == "41,815 · 52.3% · 3.5"
    with app.test_request_context("/"):
        g.lang = "vi"  # as every request sets it (app.core.i18n)
        assert template.render(values) == f"41.815 · 52,3{NBSP}% · 3,5"
    assert format_number(1234) == "1.234"  # outside a request: Vietnamese
