"""The procedure catalogue as the national side knows it: localised codes both ways, the export for the
national procedure database (Cơ sở dữ liệu quốc gia về thủ tục hành chính) and the comparison with it.

**Localised codes.** The portal names a procedure by the code the province published it under (mã
TTHC đã địa phương hóa). By default that is the national procedure code itself ("1.001193"); a
province whose published codes differ lists them in the map file (`NATIONAL_INBOUND_MAP`, YAML,
read and checked at start-up):

    procedures:
      "1.001193.000.00.00.H91":            # the localised code on the portal
        code: "1.001193"                   # this system's procedure (its version: the one in force)
        fields: {HoTenTre: child_full_name} # the portal's form field names -> the procedure's keys
        documents: {TKKS: to_khai_khai_sinh}  # the portal's document codes -> the procedure's keys
      "2.000815.H91": "2.000815"            # only the code
    units:
      "000.00.30.H01": "000.24.50.H91"      # a unit code the portal still uses -> this system's unit

Names and codes not listed are taken as they are. A dossier follows the version of its procedure in
force on the day it is received here (the version in force when it is received, kept to the end).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from app.procedures import get_registry
from app.procedures.definitions import Procedure

EXTENSION_KEY = "national_map"
EXPORT_COLUMNS = (
    "MaTTHC",
    "MaTTHCDiaPhuong",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "PhienBan",
    "NgayHieuLuc",
    "NgayHetHieuLuc",
    "CapThucHien",
    "MucDoDVC",
    "KenhNopHoSo",
    "ThoiHanGiaiQuyet",
    "LePhi",
    "CanCuPhapLy",
)


class MapError(Exception):
    """The map file has problems; the message lists every one of them."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class ProcedureMapping:
    localised_code: str
    code: str
    fields: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NationalMap:
    procedures: dict[str, ProcedureMapping] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def procedure(self, localised_code: str) -> ProcedureMapping:
        """The mapping of a localised code: listed, else the code taken as the procedure's own."""
        return self.procedures.get(localised_code) or ProcedureMapping(localised_code, localised_code)

    def localised_code(self, code: str) -> str:
        """The code the portal knows a procedure by: the first listed for it, else its own."""
        return next((m.localised_code for m in self.procedures.values() if m.code == code), code)


def _strings(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.append(f"{where}: must map names to names")
        return {}
    return dict(value)


def parse_map(data: Any, known_codes: set[str], source: str = "map") -> NationalMap:
    """The map from its YAML content; MapError listing every problem (unknown procedure codes too)."""
    problems: list[str] = []
    if data is None:
        return NationalMap()
    if not isinstance(data, dict) or set(data) - {"procedures", "units"}:
        raise MapError(source, ["the top level has only 'procedures' and 'units'"])
    procedures = {}
    for localised, entry in (data.get("procedures") or {}).items():
        where = f"procedures.{localised}"
        if isinstance(entry, str):
            entry = {"code": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            problems.append(f"{where}: needs a procedure code")
            continue
        if set(entry) - {"code", "fields", "documents"}:
            problems.append(f"{where}: keys are code, fields and documents")
        if entry["code"] not in known_codes:
            problems.append(f"{where}.code: no procedure '{entry['code']}' is loaded")
        procedures[str(localised)] = ProcedureMapping(
            str(localised),
            entry["code"],
            _strings(entry.get("fields"), f"{where}.fields", problems),
            _strings(entry.get("documents"), f"{where}.documents", problems),
        )
    units = _strings(data.get("units"), "units", problems)
    if problems:
        raise MapError(source, problems)
    return NationalMap(procedures, units)


def load_map(path: str | Path, known_codes: set[str]) -> NationalMap:
    file = Path(path)
    if not file.is_file():
        raise MapError(str(file), ["file not found"])
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MapError(str(file), [f"cannot be read: {exc}"]) from exc
    return parse_map(data, known_codes, file.name)


def init_app(app: Flask) -> None:
    """Read and check the map once, at start-up: a broken map stops start-up with every problem.
    Not while `flask workflows ...` runs on a broken procedure folder (it only reports that)."""
    from app.procedures.queries import LOAD_ERROR_KEY

    if LOAD_ERROR_KEY in app.extensions:
        return
    with app.app_context():
        codes = {proc.code for proc in get_registry().all()}
    app.extensions[EXTENSION_KEY] = load_map(app.config["NATIONAL_INBOUND_MAP"], codes)


def get_map() -> NationalMap:
    return current_app.extensions[EXTENSION_KEY]


def resolve_procedure(localised_code: str, on: date) -> tuple[Procedure | None, ProcedureMapping, str | None]:
    """(the version in force on `on`, its mapping, None), or (None, mapping, why not)."""
    mapping = get_map().procedure(localised_code)
    registry = get_registry()
    if not any(proc.code == mapping.code for proc in registry.all()):
        return (
            None,
            mapping,
            f"Mã thủ tục '{localised_code}' trên Cổng DVC quốc gia không có trong danh mục của tỉnh",
        )
    procedure = registry.find_current(mapping.code, on)
    if procedure is None:
        return None, mapping, f"Thủ tục {mapping.code} không có phiên bản hiệu lực ngày {on:%d/%m/%Y}"
    return procedure, mapping, None


# --- export and comparison ------------------------------------------------------------------------


def _deadline(procedure: Procedure) -> str:
    budget = procedure.deadline
    if budget.kind == "same_day":
        return "Trong ngày"
    unit = "ngày làm việc" if budget.kind == "working_days" else "giờ làm việc"
    return f"{budget.amount} {unit}"


def catalogue_rows(on: date) -> list[dict[str, Any]]:
    """One row per procedure in force on `on`, as the national procedure database lists them."""
    national = get_map()
    rows = []
    for proc in get_registry().list_current(on):
        rows.append(
            {
                "MaTTHC": proc.code,
                "MaTTHCDiaPhuong": national.localised_code(proc.code),
                "TenTTHC": proc.name.vi,
                "MaLinhVuc": proc.field_code,
                "TenLinhVuc": proc.field_name.vi,
                "PhienBan": proc.version,
                "NgayHieuLuc": proc.effective_from.isoformat(),
                "NgayHetHieuLuc": proc.effective_to.isoformat() if proc.effective_to else None,
                "CapThucHien": proc.competent_level,
                "MucDoDVC": proc.online_level,
                "KenhNopHoSo": ",".join(proc.channels),
                "ThoiHanGiaiQuyet": _deadline(proc),
                "LePhi": proc.fee,
                "CanCuPhapLy": "; ".join(proc.legal_basis.governing) if proc.legal_basis else None,
            }
        )
    return rows


def export_json(on: date, province_code: str | None) -> str:
    document = {"NgayXuat": on.isoformat(), "MaDinhDanhTinh": province_code, "DanhSach": catalogue_rows(on)}
    return json.dumps(document, ensure_ascii=False, indent=2)


def export_csv(on: date) -> str:
    """UTF-8 CSV (with a BOM, for spreadsheets) with the export's columns."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in catalogue_rows(on):
        writer.writerow({k: "" if v is None else _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A spreadsheet would run a cell starting with = + - @ as a formula: such text gets a quote."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else value


class CatalogueFileError(ValueError):
    """The national list cannot be read; the message says why."""


def read_national_list(content: bytes, filename: str = "") -> list[dict[str, str]]:
    """Rows of the national database's list: JSON (a list, or {"DanhSach": [...]}) or CSV with a
    header; each row needs MaTTHC, may have TenTTHC and MaTTHCDiaPhuong."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueFileError("Tệp không phải văn bản UTF-8") from exc
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CatalogueFileError(f"Tệp JSON không đọc được: {exc}") from exc
        rows = data.get("DanhSach") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CatalogueFileError("Tệp JSON cần một danh sách (hoặc khóa DanhSach) các thủ tục")
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    found = []
    for number, row in enumerate(rows, 1):
        code = str(row.get("MaTTHC") or "").strip()
        if not code:
            raise CatalogueFileError(f"Dòng {number}: thiếu MaTTHC")
        found.append(
            {
                "MaTTHC": code,
                "TenTTHC": str(row.get("TenTTHC") or "").strip(),
                "MaTTHCDiaPhuong": str(row.get("MaTTHCDiaPhuong") or "").strip(),
            }
        )
    return found


@dataclass
class CatalogueReport:
    """Procedures missing on either side, and those both have under different names."""

    matched: int = 0
    missing_here: list[dict[str, str]] = field(default_factory=list)  # in the national list only
    missing_there: list[dict[str, Any]] = field(default_factory=list)  # here only
    renamed: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)

    @property
    def is_in_step(self) -> bool:
        return not (self.missing_here or self.missing_there or self.renamed)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def compare(national_rows: list[dict[str, str]], on: date) -> CatalogueReport:
    """This system's procedures in force on `on` against the national list, by national code."""
    ours = {row["MaTTHC"]: row for row in catalogue_rows(on)}
    theirs = {row["MaTTHC"]: row for row in national_rows}
    report = CatalogueReport()
    for code, row in sorted(theirs.items()):
        mine = ours.get(code)
        if mine is None:
            report.missing_here.append(row)
            continue
        report.matched += 1
        if row["TenTTHC"] and not _same_name(row["TenTTHC"], mine["TenTTHC"]):
            report.renamed.append((mine, row))
    report.missing_there = [row for code, row in sorted(ours.items()) if code not in theirs]
    return report
