"""Month-to-date reports: the running month from its first day to today, one per unit and day,
beside the whole-month report made once the month has ended; the PDF and the list say so."""

from __future__ import annotations

import subprocess
from datetime import date

from app.extensions import db
from app.org.queries import get_unit_by_code
from app.reports.jobs import render_monthly_report
from app.reports.services import create_monthly_reports, list_reports, request_month_to_date_report
from tests.clock import Clock, vn
from tests.reports.conftest import COMMUNE, OCTOBER, OTHER_DISTRICT
from tests.web import csrf_token, sign_in


def test_one_report_per_unit_and_day_beside_the_whole_month(october, queued, user):
    leader, unit = user("ld.candang"), get_unit_by_code(COMMUNE)
    first, is_queued = request_month_to_date_report(leader, unit.id, vn("2026-10-12 16:00"))
    assert is_queued and (first.month, first.as_of, first.is_month_to_date) == (
        OCTOBER,
        date(2026, 10, 12),
        True,
    )
    first.status = "ready"
    again, is_queued = request_month_to_date_report(leader, unit.id, vn("2026-10-12 17:30"))
    assert again.id == first.id and not is_queued  # asked again the same day: the one made today
    later, is_queued = request_month_to_date_report(leader, unit.id, vn("2026-10-20 08:00"))
    assert is_queued and later.id != first.id and later.as_of == date(2026, 10, 20)
    run = create_monthly_reports(OCTOBER, COMMUNE)  # once October has ended: its whole-month report
    assert run.created == 1
    listed = [(r.as_of, r.filename()) for r in list_reports(leader, unit.id, OCTOBER)]
    assert listed == [
        (None, f"BaoCao-{COMMUNE}-2026-10.pdf"),
        (date(2026, 10, 20), f"BaoCao-{COMMUNE}-2026-10-den-ngay-20.pdf"),
        (date(2026, 10, 12), f"BaoCao-{COMMUNE}-2026-10-den-ngay-12.pdf"),
    ]


def test_the_pdf_counts_the_month_to_that_day_and_says_it_has_not_ended(october, queued, user):
    report, _ = request_month_to_date_report(
        user("ld.candang"), get_unit_by_code(COMMUNE).id, vn("2026-10-13 09:00")
    )
    render_monthly_report(report.id)
    db.session.refresh(report)
    assert report.status == "ready", report.error
    from app.storage import get_storage

    pdf = b"".join(get_storage().open(report.storage_key))
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(out.stdout.decode().split())
    assert "tháng 10/2026 (từ đầu tháng đến ngày 13/10/2026)" in text
    assert "Từ ngày 01/10/2026 đến ngày 13/10/2026" in text
    assert "Báo cáo tháng chưa kết thúc" in text and "tháng chưa kết thúc" in text.split("Trang")[0] + text
    assert "Hồ sơ tiếp nhận trong tháng 2" in text  # the 8th and the 12th; the counter one came on the 14th


def test_leaders_ask_for_it_on_the_page_and_the_list_says_month_to_date(client, october, queued, monkeypatch):
    Clock(monkeypatch, "2026-10-13 09:00", "app.reports.services")
    sign_in(client, "ld.candang")
    token = csrf_token(client, "/reports")
    unit_id = get_unit_by_code(COMMUNE).id
    response = client.post("/reports/month-to-date", data={"mtd-unit": unit_id, "csrf_token": token})
    assert response.status_code == 302 and len(queued) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đang tạo báo cáo tháng 10/2026 đến ngày 13/10/2026." in html
    assert "Từ đầu tháng đến 13/10/2026" in html
    assert (
        client.post("/reports/month-to-date", data={"mtd-unit": "x", "csrf_token": token}).status_code == 422
    )
    other = get_unit_by_code(OTHER_DISTRICT).id
    assert (
        client.post("/reports/month-to-date", data={"mtd-unit": other, "csrf_token": token}).status_code
        == 403
    )
    sign_in(client, "tn.candang")  # reception officers see reports but do not ask for them
    token = csrf_token(client, "/reports")
    assert (
        client.post("/reports/month-to-date", data={"mtd-unit": unit_id, "csrf_token": token}).status_code
        == 403
    )
