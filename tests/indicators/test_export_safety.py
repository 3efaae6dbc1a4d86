"""Exports are safe to open in a spreadsheet: a name a citizen typed never becomes a live formula
(CSV with either separator, XLSX), control characters are dropped instead of breaking the XLSX
export, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.core.uow import unit_of_work
from app.indicators import exports
from app.procedures import get_registry
from app.workflow.submission import Submission, submit_dossier
from tests.factories import act, form_data, uploads_for
from tests.indicators.conftest import COMMUNE
from tests.notifications.support import BIRTH
from tests.web import sign_in

SPAN = {"from": "2026-11-20", "to": "2026-12-06"}
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]
# (as typed at the counter, as the export must show it)
CONTROLLED = [
    ("Nguyễn\x01Văn\x1b A\x7f", "NguyễnVăn A"),
    ("\x01=1+1", "'=1+1"),  # the formula hides behind a control character
]
EXPECTED_NAMES = {*(f"'{name}" for name in FORMULAS), *(shown for _, shown in CONTROLLED)}


@pytest.fixture
def hostile(clock, user):
    """Counter dossiers at xã Cần Đăng whose applicant names are formulas or carry control characters,
    all accepted (so received) inside the period."""
    clock.at("2026-12-01 08:00")
    procedure = get_registry().current(BIRTH, date.today())
    for name in [*FORMULAS, *(typed for typed, _ in CONTROLLED)]:
        with unit_of_work():
            dossier = submit_dossier(
                user("tn.candang"),
                Submission(
                    procedure.code,
                    form_data(procedure),
                    uploads=uploads_for(procedure),
                    channel="counter",
                    unit_code=COMMUNE,
                    applicant={"name": name},
                ),
            )
        act(dossier, "accept", user("tn.candang"))
    clock.at("2026-12-01 15:00")


@pytest.fixture
def supervisor(client):
    sign_in(client, "giamsat.tinh")
    return client


def download(client, fmt: str, view: str, **params):
    query = {**SPAN, "unit": COMMUNE, "view": view, **params}
    response = client.get(f"/stats/export.{fmt}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response


def csv_table(response, delimiter: str, first_header: str) -> list[dict]:
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    return [dict(zip(rows[start], row, strict=True)) for row in rows[start + 1 :] if row]


def sheet_table(response, first_header: str) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == first_header)
    header = [cell.value for cell in rows[start]]
    return [dict(zip(header, row, strict=True)) for row in rows[start + 1 :]]


@pytest.mark.parametrize(("sep", "delimiter"), [(None, ","), ("semicolon", ";")])
def test_csv_neutralises_formulas_and_drops_control_characters(hostile, supervisor, sep, delimiter):
    extra = {"sep": sep} if sep else {}
    response = download(supervisor, "csv", "dossiers", metric="received", **extra)
    names = {row["Người nộp"] for row in csv_table(response, delimiter, "Mã hồ sơ")}
    assert names == EXPECTED_NAMES
    assert not any(char in response.data for char in (b"\x01", b"\x1b", b"\x7f"))


def test_xlsx_stores_formulas_as_text_and_answers_despite_control_characters(hostile, supervisor):
    rows = sheet_table(download(supervisor, "xlsx", "dossiers", metric="received"), "Mã hồ sơ")
    cells = [row["Người nộp"] for row in rows]
    assert {cell.value for cell in cells} == EXPECTED_NAMES
    assert all(cell.data_type == "s" for cell in cells)
    formulas = [cell for cell in cells if cell.value.lstrip("'") in [*FORMULAS, "=1+1"]]
    assert len(formulas) == 5 and all(cell.value.startswith("'") for cell in formulas)


def test_numbers_stay_numeric_cells_beside_neutralised_text(hostile, supervisor):
    rows = sheet_table(download(supervisor, "xlsx", "overview"), "Mã chỉ số")
    received = next(row for row in rows if row["Mã chỉ số"].value == "received")
    assert received["Tử số"].value == 6 and received["Tử số"].data_type == "n"
    procedures = csv_table(download(supervisor, "csv", "procedures", sep="semicolon"), ";", "Mã thủ tục")
    assert procedures[0]["Hồ sơ tiếp nhận"] == "6"


def test_the_dashboard_offers_the_semicolon_csv_beside_the_comma_one(supervisor):
    html = supervisor.get("/stats", query_string={**SPAN, "unit": COMMUNE}).get_data(as_text=True)
    assert "CSV (Excel tiếng Việt, dấu ;)" in html
    assert "sep=semicolon" in html and "export.xlsx" in html
    english = supervisor.get("/stats", query_string={**SPAN, "unit": COMMUNE, "lang": "en"})
    assert "CSV (Vietnamese Excel, ; separator)" in english.get_data(as_text=True)


def test_an_unknown_separator_is_a_clear_422(supervisor):
    response = supervisor.get("/stats/export.csv", query_string={**SPAN, "view": "overview", "sep": "tab"})
    assert response.status_code == 422 and "sep" in response.get_data(as_text=True)


# --- The writers themselves: what is text and what is a number -----------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+84 90", "'+84 90"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a\x00b\x08c\x0bd\x0ce\x1ff\x7fg", "abcdefg"),
        ("dòng 1\ndòng 2\tcột", "dòng 1\ndòng 2\tcột"),
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_text(value, written):
    assert exports.spreadsheet_text(value) == written


def _numbers_table() -> exports.Table:
    columns = [exports.Column("Tên"), exports.Column("Số", "int"), exports.Column("Tỷ lệ", "pct")]
    return exports.Table("t", "Bảng", [("Đơn vị", "=evil()")], columns, [["-2", -2, -0.25]])


def test_negative_numbers_stay_numbers_and_negative_looking_text_does_not():
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(_numbers_table()))).active
    rows = list(sheet.iter_rows())
    assert (rows[1][1].value, rows[1][1].data_type) == ("'=evil()", "s")
    text, number, rate = rows[-1]
    assert (text.value, text.data_type) == ("'-2", "s")
    assert (number.value, number.data_type) == (-2, "n")
    assert (rate.value, rate.data_type) == (-0.25, "n")


@pytest.mark.parametrize(("variant", "line"), [("comma", "'-2,-2,-0.25"), ("semicolon", "'-2;-2;-0,25")])
def test_csv_writes_numbers_plainly_in_each_variant(variant, line):
    body = exports.to_csv(_numbers_table(), exports.CSV_VARIANTS[variant]).decode("utf-8-sig")
    assert body.splitlines()[-1] == line
