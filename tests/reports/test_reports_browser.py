"""A leader asks for last month's report on /reports by keyboard and lands on the list filtered to
it: the row says "Đang tạo…" while the real rq worker renders the PDF, and the section refreshes
itself (no reload, the filter kept) until the download link appears. Screenshots at desktop width
and on a 360 px phone."""

from __future__ import annotations

from tests.browser.test_lien_thong_walk import sign_in
from tests.reports.conftest import COMMUNE


def test_leader_asks_for_a_report_and_the_row_turns_into_a_download(rq_worker, page_factory, screenshot):
    page = sign_in(page_factory(), "ld.candang")
    page.get_by_role("link", name="Báo cáo định kỳ").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo định kỳ"

    page.locator("#month").fill("2026-10")
    page.get_by_role("button", name="Lập báo cáo").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Đang tạo báo cáo tháng 10/2026." in page.locator(".flash").inner_text()
    assert "month=2026-10" in page.url
    row = page.locator("#report-list tbody tr")
    assert row.count() == 1 and COMMUNE in row.inner_text()
    assert "Đang tạo…" in row.inner_text()  # the worker needs a second or two for the PDF
    screenshot(page, "reports-page-pending")
    page.evaluate("window.notReloaded = true")

    row.get_by_role("link", name="Tải PDF").wait_for(timeout=30_000)  # swapped in by refresh-section.js
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#report-list tbody tr").count() == 1  # still the filtered list
    assert page.locator("#filter-month").input_value() == "2026-10"
    screenshot(page, "reports-page")

    phone = sign_in(page_factory(360, 740), "ld.candang")
    phone.goto("/reports")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "reports-page-phone")
