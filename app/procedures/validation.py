"""Checks shared by the procedure loader: each reads one YAML value, reports what is wrong with it
under its key path, and returns the typed value (or None when it is unusable).

Nothing here stops at the first problem: a definition file is read to the end so that the author
sees every mistake at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.procedures.definitions import Deadline, Text

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class Problems:
    """The problems of one source file, each rendered "<file>: <key path>: <message>"."""

    source: str
    messages: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{self.source}: {path or '(top level)'}: {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


def join(path: str, key: str | int) -> str:
    """`join("transitions", 3)` -> "transitions[3]"; `join("fee", "amount")` -> "fee.amount"."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "empty",
    }
    return names.get(type(value), type(value).__name__)


def mapping(
    p: Problems,
    path: str,
    value: Any,
    required: Iterable[str],
    optional: Iterable[str] = (),
    hint: str = "",
) -> dict[str, Any] | None:
    """A mapping with exactly these keys: unknown keys (typos) and missing keys are reported."""
    if not isinstance(value, dict):
        p.add(path, f"must be a mapping, got {_kind(value)}")
        return None
    required = tuple(required)
    allowed = (*required, *optional)
    for key in value:
        if not isinstance(key, str):
            p.add(path, f"key {key!r} must be a string")
        elif key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            known = f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(allowed)
            p.add(join(path, key), f"unknown key ({known}){hint}")
    for key in required:
        if key not in value:
            p.add(join(path, key), "missing required key")
    return value


def string(
    p: Problems, path: str, value: Any, pattern: re.Pattern[str] | None = None, expected: str = ""
) -> str | None:
    """A non-empty string; with `pattern`, `expected` says in words what the pattern wants."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        p.add(path, f'must be a string; quote it: "{value}"')
        return None
    if not isinstance(value, str) or not value.strip():
        p.add(path, f"must be a non-empty string, got {_kind(value)}")
        return None
    if pattern is not None and not pattern.match(value):
        p.add(path, f"'{value}' {expected or 'does not match the pattern ' + pattern.pattern}")
        return None
    return value


def identifier(p: Problems, path: str, value: Any) -> str | None:
    """Keys, state and transition names: lowercase letters, digits and underscores."""
    return string(
        p, path, value, IDENTIFIER, "must be lowercase letters, digits and _, starting with a letter"
    )


def integer(p: Problems, path: str, value: Any, low: int, high: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        p.add(path, f"must be an integer, got {_kind(value)}")
        return None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        p.add(path, f"must be {bounds}, got {value}")
        return None
    return value


def boolean(p: Problems, path: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        p.add(path, f"must be true or false, got {_kind(value)}")
        return None
    return value


def choice(p: Problems, path: str, value: Any, allowed: Collection[str], what: str = "value") -> str | None:
    if not isinstance(value, str) or value not in allowed:
        p.add(path, f"unknown {what} {value!r} (expected one of: {', '.join(allowed)})")
        return None
    return value


def string_list(
    p: Problems,
    path: str,
    value: Any,
    allowed: Collection[str] | None = None,
    *,
    what: str = "value",
    non_empty: bool = True,
) -> tuple[str, ...] | None:
    """A list of strings, each from `allowed` when given; duplicates are reported."""
    if not isinstance(value, list):
        p.add(path, f"must be a list, got {_kind(value)}")
        return None
    if non_empty and not value:
        p.add(path, "must not be empty")
        return None
    items: list[str] = []
    ok = True
    for index, item in enumerate(value):
        item_path = join(path, index)
        if allowed is None:
            checked = string(p, item_path, item)
        else:
            checked = choice(p, item_path, item, allowed, what)
        if checked is None:
            ok = False
        elif checked in items:
            p.add(item_path, f"duplicate {what} '{checked}'")
            ok = False
        else:
            items.append(checked)
    return tuple(items) if ok else None


_COMMA_HINT = "; a comma inside {vi: ..., en: ...} splits the text: quote it"


def text(p: Problems, path: str, value: Any) -> Text | None:
    """A bilingual label: {vi: ..., en: ...}, both required."""
    data = mapping(p, path, value, ("vi", "en"), hint=_COMMA_HINT)
    if data is None:
        return None
    vi = string(p, join(path, "vi"), data["vi"]) if "vi" in data else None
    en = string(p, join(path, "en"), data["en"]) if "en" in data else None
    return Text(vi=vi, en=en) if vi is not None and en is not None else None


AREA_KINDS = ("island", "remote")  # app.org.models.AREA_KINDS


def deadline(p: Problems, path: str, value: Any, *, areas: bool = True) -> Deadline | None:
    """Exactly one of `working_days: N`, `working_hours: N`, `same_day: true` (+ `cutoff: "HH:MM"`),
    and optionally `by_area: {island: <deadline>, remote: <deadline>}`."""
    optional = ("working_days", "working_hours", "same_day", "cutoff") + (("by_area",) if areas else ())
    data = mapping(p, path, value, (), optional)
    if data is None:
        return None
    by_area: list[tuple[str, Deadline]] = []
    if "by_area" in data:
        at = join(path, "by_area")
        areas_given = mapping(p, at, data["by_area"], (), AREA_KINDS)
        if areas_given is None:
            return None
        for area, budget in areas_given.items():
            parsed = deadline(p, join(at, area), budget, areas=False)
            if parsed is None:
                return None
            by_area.append((area, parsed))
        data = {k: v for k, v in data.items() if k != "by_area"}
    found = _plain_deadline(p, path, data)
    if found is None or not by_area:
        return found
    return Deadline(found.kind, found.amount, found.cutoff, tuple(by_area))


def _plain_deadline(p: Problems, path: str, data: dict) -> Deadline | None:
    kinds = [k for k in ("working_days", "working_hours", "same_day") if k in data]
    if len(kinds) != 1:
        found = ", ".join(kinds) if kinds else "none"
        p.add(path, f"needs exactly one of working_days, working_hours, same_day (found: {found})")
        return None
    kind = kinds[0]
    cutoff = data.get("cutoff")
    if cutoff is not None and kind != "same_day":
        p.add(join(path, "cutoff"), "is only allowed with same_day")
        return None
    if kind == "same_day":
        if data["same_day"] is not True:
            p.add(join(path, "same_day"), "must be true (use working_days or working_hours otherwise)")
            return None
        if "cutoff" in data and (not isinstance(cutoff, str) or not _HHMM.match(cutoff)):
            p.add(join(path, "cutoff"), f'must be a quoted time "HH:MM", got {cutoff!r}')
            return None
        return Deadline(kind="same_day", cutoff=cutoff)
    amount = integer(p, join(path, kind), data[kind], 1, 10_000)
    return Deadline(kind=kind, amount=amount) if amount is not None else None


def read(
    p: Problems, path: str, item: dict, key: str, check: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    """Check `item[key]` under `path.key` when present (its absence is reported by `mapping`)."""
    return check(p, join(path, key), item[key], *args, **kw) if key in item else None
