"""CSV and XLSX exports of every dashboard view (overview, units, procedures, trend, dossiers), with the
numerators and denominators behind each rate and the scope and period in a header block.

CSV is UTF-8 with a BOM so that Excel shows Vietnamese; rates are plain fractions (0.6667). It comes in
two variants: comma-separated with a decimal point, and semicolon-separated with a decimal comma, which
is what Excel set to Vietnamese (or any locale whose decimal mark is a comma) opens into columns.
XLSX (openpyxl): bold header, column widths, rates as numbers formatted as percentages.

Every text cell of either format goes through `spreadsheet_text`: names and notes come from citizens
and officers, and a spreadsheet must show them, never run them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.core.time import to_local
from app.indicators import dashboard as d
from app.indicators import presenters as p

FORMATS = ("csv", "xlsx")
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Column:
    label: str
    kind: str = "text"  # text / int / pct / num / time


@dataclass
class Table:
    name: str  # file-name part, ASCII
    title: str
    meta: list[tuple[str, str]]
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


def _pair_columns(label: str) -> list[Column]:
    return [
        Column(f"{label}: " + _("tử số"), "int"),
        Column(f"{label}: " + _("mẫu số"), "int"),
        Column(f"{label}: " + _("tỷ lệ"), "pct"),
    ]


def _pair(cell: dict) -> list[Any]:
    return [cell["numerator"], cell["denominator"], cell["rate"]]


SUMMARY_COLUMNS = [
    ("received", "int"),
    ("online", "pair"),
    ("early", "int"),
    ("on_time", "int"),
    ("late", "int"),
    ("on_time_rate", "pair"),
    ("overdue", "int"),
    ("near_due", "int"),
    ("open", "int"),
    ("satisfaction", "pair"),
    ("fully_online", "pair"),
]


def _summary_labels(basis: str) -> dict[str, str]:
    def label(key: str) -> str:
        return str(p.metric_label(key, basis))

    return {
        "received": label("received"),
        "online": label("online_share"),
        "early": label("completed_early"),
        "on_time": label("completed_on_time"),
        "late": label("completed_late"),
        "on_time_rate": label("on_time_rate"),
        "overdue": label("in_progress_overdue"),
        "near_due": label("in_progress_near_due"),
        "open": _("Đang xử lý"),
        "satisfaction": label("satisfaction_rate"),
        "fully_online": label("fully_online"),
    }


def _summary_columns(basis: str) -> list[Column]:
    labels, columns = _summary_labels(basis), []
    for key, kind in SUMMARY_COLUMNS:
        columns += _pair_columns(labels[key]) if kind == "pair" else [Column(labels[key], kind)]
    return [*columns, Column(_("Điểm"), "num"), Column(_("Điểm tối đa"), "int")]


def _summary_values(row: dict) -> list[Any]:
    values: list[Any] = []
    for key, kind in SUMMARY_COLUMNS:
        values += _pair(row[key]) if kind == "pair" else [row[key]]
    return [*values, row["score"]["points"], row["score"]["max"]]


def _meta(view: d.View) -> list[tuple[str, str]]:
    s = view.scope
    return [
        (_("Đơn vị"), f"{p.unit_name(s.unit)} ({s.unit.code})" if s.unit else _("Toàn tỉnh")),
        (_("Kỳ"), f"{s.date_from:%d/%m/%Y} – {s.date_to:%d/%m/%Y}"),
        (_("Cấp"), str(p.LEVEL_LABELS.get(s.level, s.level)) if s.level else _("Tất cả")),
        (_("Thủ tục"), p.procedure_name(s.procedure) if s.procedure else _("Tất cả")),
        (_("Tính theo"), str(p.BASIS_LABELS[s.basis])),
        (_("Đơn vị đã sắp xếp"), str(p.STRUCTURE_LABELS[s.structure])),
    ]


def _name(view: d.View, kind: str) -> str:
    s = view.scope
    unit = s.unit.code if s.unit else "toan-tinh"
    return f"chi-so_{kind}_{unit}_{s.date_from:%Y%m%d}-{s.date_to:%Y%m%d}"


def overview_table(view: d.View, m: dict) -> Table:
    """One row per metric (numerator, denominator, rate, target), then each Decision 766 component
    (its numerator, denominator and rate, its points and weight in the last columns), each group's
    subtotal and the total out of 100."""
    basis = view.scope.basis
    rows = [
        [k, str(p.metric_label(k, basis)), *_pair(m[k]), m[k].get("target"), None, None, None]
        for k in p.PAIR_KEYS
        if k in m
    ]
    for group in p.score_groups(m):
        for c in group["components"]:
            note = c["note"] and str(c["note"])
            pair = [c["numerator"], c["denominator"], c["rate"]]
            rows.append([f"score.{c['key']}", str(c["label"]), *pair, None, c["points"], c["weight"], note])
        rows.append(
            [
                f"score.{group['key']}",
                str(group["label"]),
                None,
                None,
                None,
                None,
                group["points"],
                group["max"],
                None,
            ]
        )
    total = m["score"]["total"]
    rows.append(["score.total", _("Tổng điểm"), None, None, None, None, total["points"], total["max"], None])
    columns = [
        *(Column(label) for label in (_("Mã chỉ số"), _("Chỉ số"))),
        *(Column(label, "num") for label in (_("Tử số"), _("Mẫu số"))),
        *(Column(label, "pct") for label in (_("Tỷ lệ"), _("Mục tiêu"))),
        Column(_("Điểm"), "num"),
        Column(_("Điểm tối đa"), "num"),
        Column(_("Ghi chú")),
    ]
    return Table(_name(view, "tong-quan"), _("Chỉ số giám sát"), _meta(view), columns, rows)


def units_table(view: d.View, rows: list[dict]) -> Table:
    columns = [Column(_("Mã đơn vị")), Column(_("Đơn vị")), *_summary_columns(view.scope.basis)]
    body = [[r["unit"]["code"], r["name"], *_summary_values(r)] for r in rows]
    return Table(_name(view, "don-vi"), _("Xếp hạng đơn vị"), _meta(view), columns, body)


def procedures_table(view: d.View, rows: list[dict]) -> Table:
    columns = [Column(_("Mã thủ tục")), Column(_("Tên thủ tục")), *_summary_columns(view.scope.basis)]
    body = [[r["code"], r["name"], *_summary_values(r)] for r in rows]
    return Table(_name(view, "thu-tuc"), _("Theo thủ tục"), _meta(view), columns, body)


def trend_table(view: d.View, rows: list[dict]) -> Table:
    columns = [Column(_("Tháng")), *_summary_columns(view.scope.basis)]
    body = [[r["month"], *_summary_values(r)] for r in rows]
    return Table(_name(view, "xu-huong"), _("Theo tháng"), _meta(view), columns, body)


def dossiers_table(view: d.View, metric: str, rows: list[dict]) -> Table:
    columns = [
        Column(_("Mã hồ sơ")),
        Column(_("Mã thủ tục")),
        Column(_("Thủ tục")),
        Column(_("Người nộp")),
        Column(_("Đơn vị")),
        Column(_("Tiếp nhận"), "time"),
        Column(_("Hạn xử lý"), "time"),
        Column(_("Hoàn thành"), "time"),
        Column(_("Kết quả xử lý")),
    ]
    body = [
        [
            r["code"],
            r["procedure_code"],
            r["procedure"],
            r["applicant"],
            r["unit"],
            r["received_at"],
            r["due_at"],
            r["completed_at"],
            r["outcome_text"],
        ]
        for r in rows
    ]
    meta = [*_meta(view), (_("Chỉ số"), str(p.metric_label(metric, view.scope.basis)))]
    return Table(_name(view, f"ho-so-{metric}"), _("Danh sách hồ sơ"), meta, columns, body)


# --- Writers -------------------------------------------------------------------------------------

# The characters a spreadsheet reads as the start of a formula (OWASP, CSV injection), and the control
# characters that XML 1.0 (hence XLSX) cannot hold: C0 except tab, line feed and carriage return
# (openpyxl's ILLEGAL_CHARACTERS_RE), and DEL, which no name or note needs either.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def spreadsheet_text(text: str) -> str:
    """`text` as a spreadsheet must hold it: control characters removed, and a leading quote when it
    would otherwise start a formula (Excel, LibreOffice and Google Sheets then show it as text)."""
    text = CONTROL_CHARACTERS.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _safe(value: Any) -> Any:
    """Text made safe; numbers, dates and empty cells unchanged (a negative number stays a number)."""
    return spreadsheet_text(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class CsvVariant:
    delimiter: str
    decimal_mark: str


CSV_VARIANTS = {"comma": CsvVariant(",", "."), "semicolon": CsvVariant(";", ",")}


def _plain(value: Any, kind: str, variant: CsvVariant) -> Any:
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        value = round(value, 4) if kind == "pct" else value
        return str(value).replace(".", variant.decimal_mark)
    return "" if value is None else _safe(value)


def to_csv(table: Table, variant: CsvVariant = CSV_VARIANTS["comma"]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=variant.delimiter)
    writer.writerow([_safe(table.title)])
    for key, value in table.meta:
        writer.writerow([_safe(key), _safe(value)])
    writer.writerow([])
    writer.writerow([_safe(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([_plain(v, c.kind, variant) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append([_safe(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    for key, value in table.meta:
        sheet.append([_safe(key), _safe(value)])
    sheet.append([])
    sheet.append([_safe(c.label) for c in table.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    widths = [len(c.label) for c in table.columns]
    for index, column in enumerate(table.columns, start=1):
        for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
            cell.number_format = {"pct": "0.0%", "time": "dd/mm/yyyy hh:mm"}.get(
                column.kind, cell.number_format
            )
            widths[index - 1] = max(widths[index - 1], min(len(str(cell.value or "")), 60))
        letter = sheet.cell(row=header_row, column=index).column_letter
        sheet.column_dimensions[letter].width = min(max(widths[index - 1], 8) + 2, 48)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)  # Excel has no time zones: local time
    return _safe(value)


def render(table: Table, fmt: str, csv_variant: str = "comma") -> tuple[bytes, str, str]:
    """(body, mimetype, file name); `csv_variant` (a key of CSV_VARIANTS) applies to CSV only."""
    body = to_csv(table, CSV_VARIANTS[csv_variant]) if fmt == "csv" else to_xlsx(table)
    return body, MIME[fmt], f"{ascii_name(table.name)}.{fmt}"


def ascii_name(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^A-Za-z0-9._-]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")
