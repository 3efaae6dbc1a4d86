"""Numbers as people read them, one way everywhere (pages, exports' labels, PDFs, messages):
Vietnamese groups thousands with dots and writes decimals with a comma, and leaves a space before
the percent sign (1.234.567; 12,5 %); English the other way (1,234,567; 12.5%).

The language is the request's (Vietnamese outside a request) unless `lang` says it; the space
before % is a no-break space, so a figure never wraps away from its sign. Jinja has both as
filters: ``{{ count|number }}``, ``{{ rate|percent }}``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MISSING = "—"


def _lang(lang: str | None) -> str:
    if lang is not None:
        return "en" if lang.startswith("en") else "vi"
    from flask import g, has_request_context

    return g.get("lang", "vi") if has_request_context() else "vi"


def _rounded(value: float | int | Decimal, digits: int) -> Decimal:
    """Half away from zero, as people round (Python's round() rounds 0.125 to 0.12)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_number(
    value: float | int | Decimal | None,
    digits: int | None = None,
    lang: str | None = None,
    missing: str = MISSING,
) -> str:
    """1234567 -> '1.234.567' / '1,234,567'; 1234.5 -> '1.234,5' / '1,234.5'. `digits`: that many
    decimals; None: as many as the value needs, at most two (3 -> '3', 3.25 -> '3,25')."""
    if value is None:
        return missing
    if digits is None:
        text = f"{_rounded(value, 2):,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{_rounded(value, digits):,.{digits}f}"
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    if _lang(lang) == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_percent(
    rate: float | Decimal | None, digits: int = 1, lang: str | None = None, missing: str = MISSING
) -> str:
    """A share (0.125) as a percentage: '12,5 %' / '12.5%'; a whole one without decimals ('50 %',
    '100 %')."""
    if rate is None:
        return missing
    value = _rounded(Decimal(str(rate)) * 100, digits)
    shown = format_number(value, 0 if value == value.to_integral_value() else digits, lang)
    return f"{shown}%" if _lang(lang) == "en" else f"{shown}{NBSP}%"
