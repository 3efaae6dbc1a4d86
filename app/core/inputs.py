"""The bounds every input meets before it reaches a service or the database, checked once for every
request: no NUL and no lone surrogate in any text (PostgreSQL cannot store them), no value longer than
MAX_TEXT, a JSON body that parses, no deeper than MAX_JSON_DEPTH and with no integer in it beyond
±MAX_BIGINT, no query or form value that is an integer beyond what any field holds, dates between
MIN_YEAR and MAX_YEAR, and path ids within PostgreSQL's integer (the `int` URL converter; larger
ids are simply not found).

A request that breaks a bound is answered 422 naming the field and the bound; nothing it carried is
read further. The same checks serve the parsers that read JSON out of form fields (`json_object`)
and the form fields of a procedure (`app.dossiers.fields`).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from app.core.errors import ValidationError
from app.core.numbers import format_number

MAX_INT = 2**31 - 1  # PostgreSQL integer: ids, versions, counts
MAX_BIGINT = 2**63 - 1
MAX_FIELD_INT = 10**15  # a procedure's integer or number field (areas, amounts in VND, counts)
MAX_TEXT = 100_000  # characters of one value
MAX_JSON_DEPTH = 20
MIN_YEAR, MAX_YEAR = 1900, 2200

_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE_PREFIX = re.compile(r"(\d{4})-\d{2}-\d{2}")


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` in routes: an id beyond PostgreSQL's integer matches no route (404), instead of
    reaching the database."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "Không được chứa ký tự NUL"
    if _SURROGATE.search(value):
        return "Chứa ký tự Unicode không hợp lệ"
    if len(value) > MAX_TEXT:
        return f"Dài quá {format_number(MAX_TEXT, 0, 'vi')} ký tự"
    return None


def _scalar_problem(value: str) -> str | None:
    """A query or form value: text bounds, and a value that is an integer or a date is in range."""
    problem = text_problem(value)
    if problem:
        return problem
    stripped = value.strip()
    if _INTEGER.fullmatch(stripped) and len(stripped.lstrip("+-")) > 18:
        return "Số quá lớn"
    date_match = _DATE_PREFIX.match(stripped)
    if date_match and not MIN_YEAR <= int(date_match[1]) <= MAX_YEAR:
        return f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}"
    return None


def json_depth(text: str | bytes) -> int:
    """The nesting depth of a JSON text, counted without parsing it (a parser recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text.decode("utf-8", "replace") if isinstance(text, bytes) else text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def value_problems(value: Any, path: str = "") -> dict[str, str]:
    """Every bound a parsed JSON value breaks, by path (`data.items[2]`)."""
    problems: dict[str, str] = {}
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            problems[path or "value"] = problem
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if abs(value) > MAX_BIGINT:
            problems[path or "value"] = "Số quá lớn"
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            problems[path or "value"] = "Số không hợp lệ"
    elif isinstance(value, dict):
        for key, item in value.items():
            key_problem = text_problem(str(key))
            if key_problem:
                problems[f"{path}.{key!r}" if path else repr(key)] = key_problem
                continue
            problems.update(value_problems(item, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.update(value_problems(item, f"{path}[{index}]"))
    return problems


def json_object(text: Any, field: str) -> dict:
    """A JSON object sent as text (a multipart form field), within the bounds."""
    if isinstance(text, dict):
        parsed: Any = text
    else:
        if not isinstance(text, str | bytes):
            raise ValidationError("Phải là JSON hợp lệ", {field: "Phải là JSON hợp lệ"})
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ValidationError(
                f"JSON lồng quá {MAX_JSON_DEPTH} cấp", {field: f"JSON lồng quá {MAX_JSON_DEPTH} cấp"}
            )
        try:
            parsed = json.loads(text)
        except ValueError as exc:  # including an integer of more digits than Python converts
            raise ValidationError("Phải là JSON hợp lệ", {field: "Phải là JSON hợp lệ"}) from exc
    if not isinstance(parsed, dict):
        raise ValidationError("Phải là một đối tượng JSON", {field: "Phải là một đối tượng JSON"})
    problems = value_problems(parsed, field)
    if problems:
        raise ValidationError("Dữ liệu vượt giới hạn: " + ", ".join(sorted(problems)), problems)
    return parsed


def date_problem(value: date) -> str | None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}"
    return None


def screen_request() -> None:
    """The bounds of the whole request: query, form and JSON body."""
    problems: dict[str, str] = {}
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            problem = text_problem(key) or _scalar_problem(value)
            if problem:
                problems[key if not text_problem(key) else "?"] = problem
    for key, upload in request.files.items(multi=True):
        problem = text_problem(upload.filename or "")
        if problem:
            problems[key] = f"Tên tệp: {problem}"
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        if json_depth(raw) > MAX_JSON_DEPTH:
            problems["body"] = f"JSON lồng quá {MAX_JSON_DEPTH} cấp"
        else:
            body = request.get_json(silent=True)
            if body is None and raw.strip() != b"null":
                problems["body"] = "Phải là JSON hợp lệ"
            problems.update(value_problems(body, ""))
    if problems:
        raise ValidationError("Dữ liệu vượt giới hạn: " + ", ".join(sorted(problems)), problems)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(screen_request)
