"""Turn one parsed YAML document into a `Procedure`, reporting every problem with its key path.

The file format is documented by example in `workflows/*.yaml`. Indexes in key paths are 0-based
(`transitions[0]` is the first transition).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from app.procedures import graph
from app.procedures.definitions import (
    CHANNELS,
    FIELD_TYPES,
    ONLINE_LEVELS,
    DocumentSpec,
    FeeLine,
    FieldSpec,
    LegalBasis,
    Procedure,
    ReceivingPoint,
    ResultSpec,
    Text,
)
from app.procedures.parsing_result import parse_result, with_result_inputs
from app.procedures.parsing_workflow import parse_states, parse_transitions
from app.procedures.validation import (
    Problems,
    boolean,
    choice,
    deadline,
    identifier,
    integer,
    join,
    mapping,
    read,
    string,
    string_list,
    text,
)

CODE_PATTERN = re.compile(r"^\d\.\d{6}$")  # mã TTHC, e.g. 1.001193
DOCUMENT_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",  # .docx
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",  # .xlsx
    "application/vnd.oasis.opendocument.text",  # .odt
)
ORIGINAL_COPIES = ("original", "copy", "certified_copy")

_TOP_REQUIRED = (
    "code",
    "version",
    "effective_from",
    "name",
    "field",
    "competent_level",
    "receiving",
    "channels",
    "online_level",
    "deadline",
    "documents",
    "fields",
    "states",
    "transitions",
)


_TOP_OPTIONAL = (
    "result_name",
    "fee",
    "fees",
    "effective_to",
    "replaced_by",
    "levels",
    "legal_basis",
    "no_boundary",
    "competent_from",
    "sets",
    "result",
)


def parse_procedure(p: Problems, data: Any, levels: Sequence[str]) -> Procedure | None:
    """Validate one document against the org `levels` of its period; returns None (with problems
    added) when anything is wrong."""
    top = mapping(p, "", data, _TOP_REQUIRED, _TOP_OPTIONAL)
    if top is None:
        return None

    def section(key: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return check(p, key, top[key], *args, **kwargs) if key in top else None

    code = section("code", string, CODE_PATTERN, 'is not a national procedure code like "1.001193"')
    version = section("version", integer, 1)
    effective = section("effective_from", _date)
    name = section("name", text)
    field_code, field_name = section("field", _field) or (None, None)
    effective_to = section("effective_to", _date)
    if effective and effective_to and effective_to < effective:
        p.add("effective_to", "must not be before effective_from")
    replaced_by = section("replaced_by", _replaced_by)
    declared_levels = section("levels", string_list, what="level")
    legal_basis = section("legal_basis", _legal_basis)
    no_boundary = section("no_boundary", boolean) or False
    sets = section("sets", integer, 1, 10) if "sets" in top else 1
    competent = section("competent_level", choice, levels, "level")
    receiving = section("receiving", _receiving_points, levels)
    channels = section("channels", string_list, CHANNELS, what="channel")
    online = section("online_level", choice, ONLINE_LEVELS, "online level")
    if online == "toan_trinh" and channels is not None and "online" not in channels:
        p.add("online_level", "toan_trinh needs the online channel")
    if ("fee" in top) == ("fees" in top):
        p.add("fee", "give exactly one of fee (one amount) or fees (a list of lines)")
    fee = section("fee", _fee)
    fee_lines = section("fees", _fee_lines, channels or CHANNELS)
    if fee is not None:
        fee_lines = (FeeLine("phi_le_phi", _FEE_NAME, fee[0], note=fee[1]),) if fee[0] else ()
    elif fee_lines is not None:
        fee = (sum(x.amount for x in fee_lines if x.applies("counter", effective)), None)
    total = section("deadline", deadline)
    documents = section("documents", _documents)
    fields = section("fields", _fields, levels)
    competent_from = section("competent_from", _competent_from, fields)
    result_name = section("result_name", text)
    states, declared, states_ok = section("states", parse_states) or ({}, None, False)
    transitions = section("transitions", parse_transitions, states, declared, levels)
    if states_ok and transitions is not None:
        graph.check_workflow(p, states, transitions)
    result = section("result", parse_result) if "result" in top else ResultSpec(declared=False)
    if transitions is not None and result is not None and result.declared:
        transitions = with_result_inputs(p, "transitions", transitions, result)
    if p:
        return None
    return Procedure(
        code=code,
        version=version,
        effective_from=effective,
        name=name,
        field_code=field_code,
        field_name=field_name,
        competent_level=competent,
        receiving_kinds=receiving[0].kinds,
        receiving_level=receiving[0].level,
        receiving_points=receiving,
        channels=channels,
        online_level=online,
        fee=fee[0],
        fee_note=fee[1],
        deadline=total,
        documents=documents,
        fields=fields,
        states=states,
        transitions=transitions,
        source_file=p.source,
        result_name=result_name,
        effective_to=effective_to,
        replaced_by=replaced_by,
        levels=tuple(declared_levels or levels),
        legal_basis=legal_basis,
        no_boundary=no_boundary,
        competent_from=competent_from,
        fee_lines=fee_lines or (),
        sets=sets or 1,
        result=result or ResultSpec(declared=False),
    )


def _date(p: Problems, path: str, value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    p.add(path, f"must be a date YYYY-MM-DD, got {value!r}")
    return None


def _field(p: Problems, path: str, value: Any) -> tuple[str | None, Any]:
    data = mapping(p, path, value, ("code", "name"))
    if data is None:
        return None, None
    code = identifier(p, join(path, "code"), data["code"]) if "code" in data else None
    name = text(p, join(path, "name"), data["name"]) if "name" in data else None
    return code, name


def _receiving(p: Problems, path: str, value: Any, levels: Sequence[str]) -> ReceivingPoint | None:
    data = mapping(p, path, value, ("level", "kinds"))
    if data is None:
        return None
    level = choice(p, join(path, "level"), data["level"], levels, "level") if "level" in data else None
    kinds = string_list(p, join(path, "kinds"), data["kinds"], what="unit kind") if "kinds" in data else None
    for index, kind in enumerate(kinds or ()):
        if identifier(p, join(join(path, "kinds"), index), kind) is None:
            kinds = None
            break
    return ReceivingPoint(level, kinds) if level is not None and kinds is not None else None


def _receiving_points(
    p: Problems, path: str, value: Any, levels: Sequence[str]
) -> tuple[ReceivingPoint, ...] | None:
    """`{level, kinds}`, or a list of them (received at commune centres and the provincial centre)."""
    if not isinstance(value, list):
        point = _receiving(p, path, value, levels)
        return (point,) if point is not None else None
    if not value:
        p.add(path, "must list at least one {level, kinds}")
        return None
    points = [_receiving(p, join(path, index), item, levels) for index, item in enumerate(value)]
    if any(point is None for point in points):
        return None
    if len({point.level for point in points}) != len(points):
        p.add(path, "each level at most once (list every kind of that level in its kinds)")
        return None
    return tuple(points)  # type: ignore[arg-type]


def _replaced_by(p: Problems, path: str, value: Any) -> tuple[str, int | None] | None:
    data = mapping(p, path, value, ("code",), ("version",))
    if data is None:
        return None
    code = read(
        p, path, data, "code", string, CODE_PATTERN, 'is not a national procedure code like "1.001193"'
    )
    version = read(p, path, data, "version", integer, 1)
    return (code, version) if code is not None else None


def _legal_basis(p: Problems, path: str, value: Any) -> LegalBasis | None:
    data = mapping(p, path, value, ("governing",), ("publication",))
    if data is None:
        return None
    governing = read(p, path, data, "governing", string_list, what="legal document")
    publication = read(p, path, data, "publication", string) if "publication" in data else None
    if "publication" in data and publication is None:
        return None
    return LegalBasis(tuple(governing), publication) if governing else None


_FEE_NAME = Text("Phí, lệ phí", "Fees and charges")


def _fee_lines(p: Problems, path: str, value: Any, channels: Sequence[str]) -> tuple[FeeLine, ...] | None:
    items = _items(p, path, value)
    if items is None:
        return None
    lines, seen = [], set()
    for index, raw in enumerate(items):
        at = join(path, index)
        count = len(p.messages)
        item = mapping(p, at, raw, ("key", "name", "amount"), ("channels", "from", "to", "basis", "note"))
        if item is None:
            continue
        key = _unique_key(p, at, item, seen, "fee")
        name = read(p, at, item, "name", text)
        amount = read(p, at, item, "amount", integer, 0, 10**12)
        line_channels = read(p, at, item, "channels", string_list, channels, what="channel") or ()
        since = read(p, at, item, "from", _date)
        until = read(p, at, item, "to", _date)
        if since and until and until < since:
            p.add(join(at, "to"), "must not be before from")
        basis = read(p, at, item, "basis", string) if "basis" in item else None
        note = read(p, at, item, "note", text)
        if len(p.messages) == count:
            lines.append(FeeLine(key, name, amount, tuple(line_channels), since, until, basis, note))
    return tuple(lines)


def _competent_from(p: Problems, path: str, value: Any, fields: tuple[FieldSpec, ...] | None) -> str | None:
    data = mapping(p, path, value, ("field",))
    if data is None or "field" not in data:
        return None
    key = data["field"]
    found = next((f for f in fields or () if f.key == key), None)
    if fields is not None and (found is None or found.type != "unit"):
        p.add(join(path, "field"), f"must name a form field of type unit, got {key!r}")
        return None
    return key


def _fee(p: Problems, path: str, value: Any) -> tuple[int, Any] | None:
    data = mapping(p, path, value, ("amount",), ("note",))
    if data is None:
        return None
    amount = integer(p, join(path, "amount"), data["amount"], 0) if "amount" in data else None
    note = text(p, join(path, "note"), data["note"]) if "note" in data else None
    return (amount, note) if amount is not None else None


def _items(p: Problems, path: str, value: Any) -> list[Any] | None:
    if not isinstance(value, list):
        p.add(path, "must be a list")
        return None
    return value


def _unique_key(p: Problems, path: str, item: dict, seen: set[str], what: str) -> str | None:
    if "key" not in item:
        return None
    key = identifier(p, join(path, "key"), item["key"])
    if key is not None and key in seen:
        p.add(join(path, "key"), f"duplicate {what} key '{key}'")
        return None
    if key is not None:
        seen.add(key)
    return key


_DOCUMENT_REQUIRED = ("key", "name", "required", "types", "max_size_mb")


def _documents(p: Problems, path: str, value: Any) -> tuple[DocumentSpec, ...] | None:
    items = _items(p, path, value)
    if items is None:
        return None
    result, seen = [], set()
    for index, raw in enumerate(items):
        at = join(path, index)
        count = len(p.messages)
        item = mapping(p, at, raw, _DOCUMENT_REQUIRED, ("original_copies", "replaced_by_identity"))
        if item is None:
            continue
        key = _unique_key(p, at, item, seen, "document")
        name = read(p, at, item, "name", text)
        required = read(p, at, item, "required", boolean)
        types = read(p, at, item, "types", string_list, DOCUMENT_TYPES, what="type")
        size = read(p, at, item, "max_size_mb", integer, 1, 500)
        copies = item.get("original_copies", "copy")
        choice(p, join(at, "original_copies"), copies, ORIGINAL_COPIES, "kind of copy")
        replaced = read(p, at, item, "replaced_by_identity", boolean)  # optional: absent is False
        if len(p.messages) == count:
            result.append(DocumentSpec(key, name, required, types, size, copies, bool(replaced)))
    return tuple(result)


def _fields(p: Problems, path: str, value: Any, levels: Sequence[str]) -> tuple[FieldSpec, ...] | None:
    items = _items(p, path, value)
    if items is None:
        return None
    result, seen = [], set()
    for index, raw in enumerate(items):
        at = join(path, index)
        count = len(p.messages)
        item = mapping(
            p, at, raw, ("key", "label", "type", "required"), ("choices", "max_length", "min", "level")
        )
        if item is None:
            continue
        key = _unique_key(p, at, item, seen, "form field")
        label = read(p, at, item, "label", text)
        kind = read(p, at, item, "type", choice, FIELD_TYPES, "field type")
        required = read(p, at, item, "required", boolean)
        choices: tuple[str, ...] | None = ()
        if kind == "choice" and "choices" not in item:
            p.add(join(at, "choices"), "a choice field needs choices")
        elif "choices" in item and kind != "choice":
            p.add(join(at, "choices"), "only a choice field has choices")
        else:
            choices = read(p, at, item, "choices", string_list, what="choice") or ()
        max_length = None
        if "max_length" in item and kind not in ("string", "text"):
            p.add(join(at, "max_length"), "only string and text fields have a max_length")
        else:
            max_length = read(p, at, item, "max_length", integer, 1, 100_000)
        minimum = 0
        if "min" in item and kind not in ("integer", "number"):
            p.add(join(at, "min"), "only integer and number fields have a min")
        elif "min" in item:
            minimum = read(p, at, item, "min", integer, -(10**15), 10**15)
        level = None
        if kind == "unit":
            if "level" not in item:
                p.add(join(at, "level"), "a unit field needs the level of its units")
            else:
                level = read(p, at, item, "level", choice, levels, "level")
        elif "level" in item:
            p.add(join(at, "level"), "only a unit field has a level")
        if len(p.messages) == count:
            result.append(FieldSpec(key, label, kind, required, choices, max_length, minimum, level))
    return tuple(result)
