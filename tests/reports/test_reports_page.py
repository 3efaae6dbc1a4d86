"""/reports, "Báo cáo định kỳ": staff see the reports of their unit and its sub-units, never another
district's (404); leaders, supervisors and admins can ask for a past month; a report being made
shows "Đang tạo…" and the section refreshes itself."""

from __future__ import annotations

from datetime import date

import pytest

from app.core import uow
from app.extensions import db
from app.org.queries import get_unit_by_code
from app.reports.models import MonthlyReport
from tests.reports.conftest import COMMUNE, OCTOBER, OTHER_DISTRICT
from tests.web import csrf_token, sign_in

PAGE = "/reports"


def _report(code: str, month: date = OCTOBER, status: str = "ready") -> MonthlyReport:
    report = MonthlyReport(unit_id=get_unit_by_code(code).id, month=month, status=status)
    if status == "ready":
        report.storage_key, report.size = "monthly-reports/not-read-here.pdf", 48_213
    db.session.add(report)
    uow.commit()
    return report


def test_staff_list_their_units_reports_with_status_and_size(client):
    ready = _report(COMMUNE)
    _report(COMMUNE, date(2026, 9, 1), "rendering")
    _report(OTHER_DISTRICT)
    sign_in(client, "giamsat.chauthanh")  # supervisor of the Châu Thành district People's Committee

    html = client.get(PAGE).get_data(as_text=True)

    assert "Báo cáo định kỳ" in html and "Báo cáo đã lập (2)" in html
    assert "UBND xã Cần Đăng" in html and "UBND huyện Chợ Mới" not in html
    assert f"/reports/{ready.id}/download" in html and "48 KB" in html
    assert "Đang tạo…" in html and "data-pending" in html and "refresh-section.js" in html


def test_filter_by_unit_and_month(client):
    _report(COMMUNE)
    _report(COMMUNE, date(2026, 9, 1))
    sign_in(client, "giamsat.chauthanh")
    unit_id = get_unit_by_code(COMMUNE).id

    html = client.get(f"{PAGE}?unit={unit_id}&month=2026-09").get_data(as_text=True)
    assert "Báo cáo đã lập (1)" in html and "09/2026" in html and "refresh-section.js" not in html
    assert client.get(f"{PAGE}?month=2026-9x").status_code == 422  # says the format


def test_another_districts_report_is_not_found(client):
    theirs = _report(OTHER_DISTRICT)
    sign_in(client, "ld.chauthanh")

    assert client.get(f"/reports/{theirs.id}/download").status_code == 404
    assert client.get(f"{PAGE}?unit={theirs.unit_id}").status_code == 404
    assert client.get("/reports/999999/download").status_code == 404


def test_citizens_may_not_open_the_page(client):
    sign_in(client, "congdan")
    assert client.get(PAGE).status_code == 403


@pytest.mark.parametrize(
    ("login", "code", "month", "status"),
    [
        ("cv.candang", COMMUNE, "2026-10", 403),  # specialists read reports, they do not order them
        ("ld.chauthanh", OTHER_DISTRICT, "2026-10", 403),  # not their subtree
        ("ld.candang", COMMUNE, "2999-01", 422),  # a month not over yet
        ("ld.candang", COMMUNE, "tháng mười", 422),
    ],
)
def test_asking_for_a_report_is_checked(client, queued, login, code, month, status):
    sign_in(client, login)
    token = csrf_token(client, PAGE)
    data = {"unit": get_unit_by_code(code).id, "month": month, "csrf_token": token}

    assert client.post(PAGE, data=data).status_code == status
    assert queued == [] and db.session.query(MonthlyReport).count() == 0


def test_leader_asks_for_a_past_month_and_sees_it_being_made(client, queued):
    sign_in(client, "ld.candang")
    data = {"unit": get_unit_by_code(COMMUNE).id, "month": "2026-10", "csrf_token": csrf_token(client, PAGE)}

    response = client.post(PAGE, data=data, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đang tạo báo cáo tháng 10/2026." in html
    assert "Đang tạo…" in html and len(queued) == 1
    again = client.post(PAGE, data=data, follow_redirects=True).get_data(as_text=True)
    assert len(queued) == 2  # still pending: queued again, one row
    assert db.session.query(MonthlyReport).count() == 1 and "Báo cáo đã lập (1)" in again


def test_a_failed_report_offers_try_again_to_those_who_may_ask(client, queued):
    failed = _report(COMMUNE, status="failed")
    sign_in(client, "cv.candang")
    assert "Chưa tạo được" in client.get(PAGE).get_data(as_text=True)
    assert "Thử lại" not in client.get(PAGE).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})

    sign_in(client, "ld.candang")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Thử lại" in html
    data = {"unit": failed.unit_id, "month": "2026-10", "csrf_token": csrf_token(client, PAGE)}
    assert client.post(PAGE, data=data).status_code == 302
    db.session.refresh(failed)
    assert failed.status == "pending" and queued == [(failed.id, f"monthly-report-{failed.id}")]
