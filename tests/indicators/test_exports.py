"""CSV and XLSX exports of the dashboard views: the engine's numbers (numerators and denominators),
the scope and period in the file name and header, Vietnamese readable in Excel, same authorisation."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.indicators.metrics import compute_indicators, indicators_by_unit
from app.org.queries import get_unit_by_code
from tests.indicators.conftest import COMMUNE, PERIOD
from tests.indicators.test_metrics import EXPECTED
from tests.web import sign_in

DISTRICT = "000.00.30.H01"
SPAN = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}


def export(client, fmt: str, view: str, **params):
    response = client.get(f"/stats/export.{fmt}", query_string={**SPAN, "view": view, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response


def csv_rows(response) -> list[list[str]]:
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def table(rows: list[list], first_header: str) -> list[dict]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    header = rows[start]
    return [dict(zip(header, row, strict=False)) for row in rows[start + 1 :] if row and row[0]]


def sheet_rows(response) -> tuple[list[list], object]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


@pytest.fixture
def supervisor(client):
    sign_in(client, "giamsat.tinh")
    return client


def test_overview_csv_has_every_pair_of_the_engine(dataset, supervisor):
    response = export(supervisor, "csv", "overview", unit=COMMUNE)
    disposition = response.headers["Content-Disposition"]
    assert f"chi-so_tong-quan_{COMMUNE}_20261120-20261206.csv" in disposition
    rows = csv_rows(response)
    assert rows[0] == ["Chỉ số giám sát"]
    assert ["Đơn vị", f"UBND xã Cần Đăng ({COMMUNE})"] in rows and ["Kỳ", "20/11/2026 – 06/12/2026"] in rows
    by_key = {r["Mã chỉ số"]: r for r in table(rows, "Mã chỉ số")}
    for key, (numerator, denominator) in EXPECTED.items():
        assert (by_key[key]["Tử số"], by_key[key]["Mẫu số"]) == (
            "" if numerator is None else str(numerator),
            str(denominator),
        ), key
    assert by_key["on_time_rate"]["Tỷ lệ"] == "0.6667" and by_key["online_share"]["Mục tiêu"] == "0.8"
    assert (by_key["score.total"]["Điểm"], by_key["score.total"]["Điểm tối đa"]) == ("28.33", "100")
    assert (by_key["score.on_time"]["Tử số"], by_key["score.on_time"]["Mẫu số"]) == ("2", "3")
    assert (by_key["score.on_time"]["Điểm"], by_key["score.on_time"]["Điểm tối đa"]) == ("13.33", "20")
    assert by_key["score.paid_online"]["Ghi chú"] == "Chưa có dữ liệu thanh toán trực tuyến"
    assert by_key["score.published_on_time"]["Điểm"] == ""  # external: shown, not scored
    assert ["Tính theo", "Đơn vị có thẩm quyền giải quyết"] in rows


def test_overview_xlsx_is_formatted_and_equal_to_the_engine(dataset, supervisor):
    rows, sheet = sheet_rows(export(supervisor, "xlsx", "overview", unit=COMMUNE))
    header_index = next(i for i, row in enumerate(rows) if row[0] == "Mã chỉ số")
    header = rows[header_index]
    assert all(cell.font.b for cell in sheet[header_index + 1] if cell.value)
    by_key = {r[0]: dict(zip(header, r, strict=True)) for r in rows[header_index + 1 :]}
    metrics = compute_indicators(get_unit_by_code(COMMUNE).id, None, None, *PERIOD)
    for key in EXPECTED:
        assert (by_key[key]["Tử số"], by_key[key]["Mẫu số"]) == (
            metrics[key]["numerator"],
            metrics[key]["denominator"],
        )
    row_number = header_index + 2 + list(by_key).index("on_time_rate")  # 1-based, after the header
    rate_cell = sheet.cell(row=row_number, column=header.index("Tỷ lệ") + 1)
    assert rate_cell.value == pytest.approx(2 / 3) and "%" in rate_cell.number_format
    assert sheet.column_dimensions["B"].width > 20


def test_units_export_equals_the_ranking(dataset, client):
    sign_in(client, "giamsat.chauthanh")
    engine = indicators_by_unit(get_unit_by_code(DISTRICT).id, None, *PERIOD)
    response = export(client, "csv", "units")
    assert f"chi-so_don-vi_{DISTRICT}_" in response.headers["Content-Disposition"]
    rows = {r["Mã đơn vị"]: r for r in table(csv_rows(response), "Mã đơn vị")}
    assert set(rows) == {r["unit"]["code"] for r in engine}
    commune = rows[COMMUNE]
    assert commune["Hồ sơ tiếp nhận"] == "6" and commune["Hoàn thành quá hạn"] == "1"
    assert commune["Tỷ lệ đúng hạn (gồm trước hạn): tử số"] == "2"
    assert commune["Tỷ lệ đúng hạn (gồm trước hạn): mẫu số"] == "3"
    xlsx_rows, _ = sheet_rows(export(client, "xlsx", "units"))
    header = next(r for r in xlsx_rows if r[0] == "Mã đơn vị")
    commune_row = dict(zip(header, next(r for r in xlsx_rows if r[0] == COMMUNE), strict=True))
    assert commune_row["Tỷ lệ tiếp nhận trực tuyến: tỷ lệ"] == pytest.approx(5 / 6)


def test_procedure_and_trend_exports(dataset, supervisor):
    procedures = table(csv_rows(export(supervisor, "csv", "procedures", unit=COMMUNE)), "Mã thủ tục")
    birth = next(r for r in procedures if r["Mã thủ tục"] == "1.001193")
    assert birth["Hồ sơ tiếp nhận"] == "6" and birth["Hoàn thành trước hạn"] == "1"
    months = {
        r["Tháng"]: r for r in table(csv_rows(export(supervisor, "csv", "trend", unit=COMMUNE)), "Tháng")
    }
    assert len(months) == 12 and months["2026-11"]["Hồ sơ tiếp nhận"] == "4"
    assert months["2026-12"]["Hoàn thành quá hạn"] == "1"


def test_dossier_list_export(dataset, supervisor):
    rows, _ = sheet_rows(export(supervisor, "xlsx", "dossiers", unit=COMMUNE, metric="completed_late"))
    assert ("Chỉ số", "Hoàn thành quá hạn") in [tuple(r[:2]) for r in rows]
    header_index = next(i for i, row in enumerate(rows) if row[0] == "Mã hồ sơ")
    assert [r[0] for r in rows[header_index + 1 :]] == [dataset["d2"].code]
    listed = table(
        csv_rows(export(supervisor, "csv", "dossiers", unit=COMMUNE, metric="received")), "Mã hồ sơ"
    )
    assert len(listed) == 6 and {r["Người nộp"] for r in listed} >= {"Trần Thị B"}


def test_export_respects_the_scope_of_the_caller(client):
    sign_in(client, "giamsat.chauthanh")
    response = client.get("/stats/export.csv", query_string={"view": "overview", "unit": "000.00.31.H01"})
    assert response.status_code == 403
