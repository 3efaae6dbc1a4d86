"""Load a province's units from a CSV file: one row per unit, with its validity period, the units
it succeeds and the units that serve its area.

Columns (a header row; lines starting with '#' are comments):

    code, parent, level, kind, name, name_en, valid_from, valid_to, area, predecessors, served_by, note

- `code` the agency identity code (QCVN 102:2016); `parent` the parent's code (empty: a root);
- `level`, `kind` as on the admin page; `valid_from` / `valid_to` YYYY-MM-DD or empty (open);
- `area` island, remote or empty; `predecessors` codes of the units this one succeeds on its
  `valid_from` (they end the day before); `served_by` codes of the units that serve its area (a land
  registry branch for a commune); both separated by spaces; `note` is for the reader, not loaded.

A parent comes before its children. A unit whose code already exists is left as it is (so loading the
same file again changes nothing); successions and service areas are added once. Every problem of
the file is reported at once, by line, and nothing is loaded when there is one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.core.errors import AppError, ValidationError
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.org.services import add_service_area, add_succession, add_unit

COLUMNS = (
    "code",
    "parent",
    "level",
    "kind",
    "name",
    "name_en",
    "valid_from",
    "valid_to",
    "area",
    "predecessors",
    "served_by",
    "note",
)
REQUIRED = ("code", "level", "kind", "name")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    parent: str
    level: str
    kind: str
    name: str
    name_en: str | None
    valid_from: date | None
    valid_to: date | None
    area: str | None
    predecessors: tuple[str, ...]
    served_by: tuple[str, ...]


@dataclass
class LoadResult:
    created: int = 0
    existing: int = 0
    successions: int = 0
    service_areas: int = 0
    problems: dict[str, str] = field(default_factory=dict)


def _day(text: str, column: str, line: int, problems: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[f"dòng {line}"] = f"{column} '{text}' không phải ngày YYYY-MM-DD"
        return None


def read_units_csv(text: str) -> list[UnitRow]:
    """The rows of a units file; raises ValidationError naming every bad line."""
    lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if not raw.lstrip().startswith("#")]
    numbers = [n for n, raw in lines if raw.strip()]
    reader = csv.DictReader(io.StringIO("\n".join(raw for _, raw in lines if raw.strip())))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError("Tệp đơn vị thiếu cột", {"columns": f"Thiếu cột: {', '.join(missing)}"})
    rows, problems = [], {}
    for number, record in zip(numbers[1:], reader, strict=False):
        values = {k: (record.get(k) or "").strip() for k in COLUMNS}
        empty = [c for c in REQUIRED if not values[c]]
        if empty:
            problems[f"dòng {number}"] = f"Thiếu {', '.join(empty)}"
            continue
        rows.append(
            UnitRow(
                line=number,
                code=values["code"],
                parent=values["parent"],
                level=values["level"],
                kind=values["kind"],
                name=values["name"],
                name_en=values["name_en"] or None,
                valid_from=_day(values["valid_from"], "valid_from", number, problems),
                valid_to=_day(values["valid_to"], "valid_to", number, problems),
                area=values["area"] or None,
                predecessors=tuple(values["predecessors"].split()),
                served_by=tuple(values["served_by"].split()),
            )
        )
    if problems:
        raise ValidationError("Tệp đơn vị có dòng không hợp lệ", problems)
    return rows


def _create(row: UnitRow, result: LoadResult) -> Unit | None:
    unit = find_unit_by_code(row.code)
    if unit is not None:
        result.existing += 1
        return unit
    parent = find_unit_by_code(row.parent) if row.parent else None
    if row.parent and parent is None:
        result.problems[f"dòng {row.line}"] = (
            f"Không tìm thấy đơn vị cha '{row.parent}' (đơn vị cha phải ở trước)"
        )
        return None
    try:
        unit = add_unit(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            level=row.level,
            kind=row.kind,
            parent=parent,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            area=row.area,
        )
    except AppError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        result.problems[f"dòng {row.line}"] = "; ".join(str(v) for v in details.values()) or exc.message
        return None
    result.created += 1
    return unit


def _link(row: UnitRow, unit: Unit, result: LoadResult) -> None:
    if row.predecessors and row.valid_from is None:
        result.problems[f"dòng {row.line}"] = "Đơn vị kế thừa (predecessors) cần valid_from: ngày kế thừa"
        return
    for code in row.predecessors:
        old = find_unit_by_code(code)
        if old is None:
            result.problems[f"dòng {row.line}"] = f"Không tìm thấy đơn vị cũ '{code}'"
            continue
        try:
            add_succession(old, unit, row.valid_from)
        except AppError as exc:
            result.problems[f"dòng {row.line}"] = exc.message
            continue
        result.successions += 1
    for code in row.served_by:
        provider = find_unit_by_code(code)
        if provider is None:
            result.problems[f"dòng {row.line}"] = f"Không tìm thấy đơn vị phục vụ '{code}'"
            continue
        add_service_area(provider, unit)
        result.service_areas += 1


def load_units(rows: list[UnitRow]) -> LoadResult:
    """Create the units (flush only), then their successions and service areas. Raises
    ValidationError with every problem, by line; the caller's unit of work then rolls back."""
    result = LoadResult()
    created = [(row, _create(row, result)) for row in rows]
    for row, unit in created:
        if unit is not None:
            _link(row, unit, result)
    if result.problems:
        raise ValidationError("Không nạp được tệp đơn vị", result.problems)
    return result


def load_units_file(path: str | Path) -> LoadResult:
    return load_units(read_units_csv(Path(path).read_text(encoding="utf-8-sig")))
