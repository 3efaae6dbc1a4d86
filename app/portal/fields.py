"""The application form generated from a procedure's form fields.

Drafts keep what was typed, as text. Only when the citizen continues (or submits) is the text
turned into typed values (numbers, booleans, ISO dates) and checked by
`app.dossiers.fields.validate_fields`, the same check the API and the submission service use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.procedures.definitions import FieldSpec, Procedure

# input type, inputmode, autocomplete, hint for each field type
WIDGETS: dict[str, tuple[str, str | None, str | None, object]] = {
    "string": ("text", None, None, None),
    "text": ("textarea", None, None, None),
    "integer": ("text", "numeric", None, _l("Chỉ nhập chữ số, ví dụ: 2")),
    "number": ("text", "decimal", None, _l("Số, có thể có phần thập phân, ví dụ: 120,5")),
    "date": ("date", None, None, _l("Ngày/tháng/năm, ví dụ: 20/11/2026")),
    "boolean": ("radio", None, None, None),
    "choice": ("select", None, None, None),
    "email": ("email", "email", "email", _l("Ví dụ: ten@example.vn")),
    "phone": ("tel", "tel", "tel", _l("10 chữ số, ví dụ: 0912345678")),
    "cccd": ("text", "numeric", None, _l("12 chữ số trên thẻ Căn cước / Căn cước công dân")),
    "unit": ("unit", None, None, None),
}
RADIO_CHOICES_UP_TO = 3  # short lists are radio buttons (one tap on a phone); longer ones a select
_DATE_VN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_GROUPED_INT = re.compile(r"^-?\d{1,3}(?:[., ]\d{3})+$")


@dataclass(frozen=True)
class Widget:
    field: FieldSpec
    input: str  # text, textarea, date, email, tel, radio, select
    inputmode: str | None
    autocomplete: str | None
    hint: object
    options: tuple[tuple[str, str], ...] = ()  # unit fields: (code, name) of the units to choose from

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def as_radios(self) -> bool:
        return self.input == "radio" or (
            self.input == "select" and len(self.field.choices) <= RADIO_CHOICES_UP_TO
        )


def widgets(procedure: Procedure) -> list[Widget]:
    return [
        Widget(
            f, *WIDGETS.get(f.type, WIDGETS["string"]), options=_unit_options(f) if f.type == "unit" else ()
        )
        for f in procedure.fields
    ]


def _unit_options(field: FieldSpec) -> tuple[tuple[str, str], ...]:
    from app.core.db import utcnow
    from app.core.time import to_local
    from app.org.queries import list_units_at_level

    today = to_local(utcnow()).date()
    return tuple((u.code, u.name) for u in list_units_at_level(field.level or "", today))


def read_fields(procedure: Procedure, form: MultiDict) -> dict[str, str]:
    """What was typed, field by field, as text; fields of other procedures are ignored."""
    return {f.key: form.get(f.key, "").strip() for f in procedure.fields if f.key in form}


def typed_data(procedure: Procedure, raw: dict[str, Any]) -> dict[str, Any]:
    """Text as typed → the values `validate_fields` expects; text that does not convert is passed on
    unchanged, so the validator names the problem. Empty fields are left out."""
    data: dict[str, Any] = {}
    for field in procedure.fields:
        value = raw.get(field.key)
        if value in (None, ""):
            continue
        data[field.key] = _convert(field.type, str(value).strip())
    return data


def _convert(kind: str, text: str) -> Any:  # noqa: PLR0911
    if kind == "integer":
        digits = re.sub(r"[., ]", "", text) if _GROUPED_INT.match(text) else text
        return int(digits) if re.fullmatch(r"-?\d{1,18}", digits) else text  # longer: not a number here
    if kind == "number":
        return _number(text)
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind == "date":
        match = _DATE_VN.match(text)
        return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text
    if kind == "cccd":
        return text.replace(" ", "")
    return text


def _number(text: str) -> Any:
    """Vietnamese writes 120,5 and 1.000,5; English 120.5 and 1,000.5."""
    compact = text.replace(" ", "")
    if "," in compact and "." in compact:
        decimal = "," if compact.rfind(",") > compact.rfind(".") else "."
        compact = compact.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif compact.count(",") == 1:
        compact = compact.replace(",", ".")
    elif compact.count(".") > 1:
        compact = compact.replace(".", "")
    try:
        value = float(compact)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in compact else value
