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
    FieldSpec,
    Procedure,
)
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
    "fee",
    "deadline",
    "documents",
    "fields",
    "states",
    "transitions",
)


def parse_procedure(p: Problems, data: Any, levels: Sequence[str]) -> Procedure | None:
    """Validate one document; returns None (with problems added) when anything is wrong."""
    top = mapping(p, "", data, _TOP_REQUIRED, ("result_name",))
    if top is None:
        return None

    def section(key: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return check(p, key, top[key], *args, **kwargs) if key in top else None

    code = section("code", string, CODE_PATTERN, 'is not a national procedure code like "1.001193"')
    version = section("version", integer, 1)
    effective = section("effective_from", _date)
    name = section("name", text)
    field_code, field_name = section("field", _field) or (None, None)
    competent = section("competent_level", choice, levels, "level")
    receiving = section("receiving", _receiving, levels)
    channels = section("channels", string_list, CHANNELS, what="channel")
    online = section("online_level", choice, ONLINE_LEVELS, "online level")
    if online == "toan_trinh" and channels is not None and "online" not in channels:
        p.add("online_level", "toan_trinh needs the online channel")
    fee = section("fee", _fee)
    total = section("deadline", deadline)
    documents = section("documents", _documents)
    fields = section("fields", _fields)
    result_name = section("result_name", text)
    states, declared, states_ok = section("states", parse_states) or ({}, None, False)
    transitions = section("transitions", parse_transitions, states, declared, levels)
    if states_ok and transitions is not None:
        graph.check_workflow(p, states, transitions)
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
        receiving_kinds=receiving[1],
        receiving_level=receiving[0],
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


def _receiving(
    p: Problems, path: str, value: Any, levels: Sequence[str]
) -> tuple[str, tuple[str, ...]] | None:
    data = mapping(p, path, value, ("level", "kinds"))
    if data is None:
        return None
    level = choice(p, join(path, "level"), data["level"], levels, "level") if "level" in data else None
    kinds = string_list(p, join(path, "kinds"), data["kinds"], what="unit kind") if "kinds" in data else None
    for index, kind in enumerate(kinds or ()):
        if identifier(p, join(join(path, "kinds"), index), kind) is None:
            kinds = None
            break
    return (level, kinds) if level is not None and kinds is not None else None


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
        item = mapping(p, at, raw, _DOCUMENT_REQUIRED, ("original_copies",))
        if item is None:
            continue
        key = _unique_key(p, at, item, seen, "document")
        name = read(p, at, item, "name", text)
        required = read(p, at, item, "required", boolean)
        types = read(p, at, item, "types", string_list, DOCUMENT_TYPES, what="type")
        size = read(p, at, item, "max_size_mb", integer, 1, 500)
        copies = item.get("original_copies", "copy")
        choice(p, join(at, "original_copies"), copies, ORIGINAL_COPIES, "kind of copy")
        if len(p.messages) == count:
            result.append(DocumentSpec(key, name, required, types, size, copies))
    return tuple(result)


def _fields(p: Problems, path: str, value: Any) -> tuple[FieldSpec, ...] | None:
    items = _items(p, path, value)
    if items is None:
        return None
    result, seen = [], set()
    for index, raw in enumerate(items):
        at = join(path, index)
        count = len(p.messages)
        item = mapping(p, at, raw, ("key", "label", "type", "required"), ("choices", "max_length", "min"))
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
        if len(p.messages) == count:
            result.append(FieldSpec(key, label, kind, required, choices, max_length, minimum))
    return tuple(result)
