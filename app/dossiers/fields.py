"""Validation of application form data against a procedure's form fields."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from app.auth.citizen_id import citizen_id_problem
from app.core.inputs import MAX_FIELD_INT, date_problem
from app.core.numbers import format_number
from app.procedures.definitions import FieldSpec

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
TOO_LARGE = f"Số quá lớn (tối đa {format_number(MAX_FIELD_INT, 0, 'vi')})"


def _coerce(field: FieldSpec, value: Any) -> tuple[Any, str | None]:  # noqa: PLR0911
    kind = field.type
    if kind in ("string", "text", "email", "phone", "cccd", "choice"):
        if not isinstance(value, str):
            return None, "Phải là chuỗi ký tự"
        value = value.strip()
        limit = field.max_length or (255 if kind != "text" else 5000)
        if len(value) > limit:
            return None, f"Tối đa {limit} ký tự"
        if kind == "email" and not EMAIL_RE.match(value):
            return None, "Địa chỉ email không hợp lệ"
        if kind == "phone" and not PHONE_RE.match(value):
            return None, "Số điện thoại không hợp lệ (vd 0912345678)"
        if kind == "cccd":
            return value, citizen_id_problem(value)
        if kind == "choice" and value not in field.choices:
            return None, "Chọn một trong: " + ", ".join(field.choices)
        return value, None
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and abs(value) > MAX_FIELD_INT:
            return None, TOO_LARGE
        if ok and value < field.minimum:
            return None, f"Không được nhỏ hơn {field.minimum}"
        return (value, None) if ok else (None, "Phải là số nguyên")
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and abs(value) > MAX_FIELD_INT:
            return None, TOO_LARGE
        if ok and value < field.minimum:
            return None, f"Không được nhỏ hơn {field.minimum}"
        return (value, None) if ok else (None, "Phải là số")
    if kind == "boolean":
        return (value, None) if isinstance(value, bool) else (None, "Phải là true hoặc false")
    if kind == "unit":
        return _unit_value(field, value)
    if kind == "date":
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            return None, "Ngày không hợp lệ (định dạng YYYY-MM-DD)"
        return (None, date_problem(day)) if date_problem(day) else (day.isoformat(), None)
    return None, f"Kiểu dữ liệu '{kind}' không được hỗ trợ"


def _unit_value(field: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """A unit field holds the code of a unit at the field's level that exists today."""
    from app.core.db import utcnow
    from app.core.time import to_local
    from app.org.queries import find_unit_by_code

    if not isinstance(value, str):
        return None, "Phải là mã đơn vị"
    unit = find_unit_by_code(value.strip())
    today = to_local(utcnow()).date()
    if unit is None or unit.level != field.level or not unit.is_active or not unit.exists_on(today):
        return None, f"Không có đơn vị '{value.strip()[:40]}' ở cấp '{field.level}' đang hoạt động"
    return unit.code, None


def validate_fields(fields: tuple[FieldSpec, ...], data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (clean data, problems by field key). Unknown keys are problems too."""
    if not isinstance(data, dict):
        return {}, {"data": "Dữ liệu tờ khai phải là một đối tượng JSON"}
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    known = {f.key for f in fields}
    for key in data:
        if key not in known:
            problems[key] = "Trường không có trong tờ khai của thủ tục này"
    for field in fields:
        value = data.get(field.key)
        if value in (None, ""):
            if field.required:
                problems[field.key] = f"Bắt buộc: {field.label.vi}"
            continue
        coerced, problem = _coerce(field, value)
        if problem:
            problems[field.key] = problem
        else:
            clean[field.key] = coerced
    return clean, problems
