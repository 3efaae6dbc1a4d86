"""The dashboard walk: a provincial supervisor opens the dashboard, picks the period, drills down
province → district → commune and clicks a late count to reach exactly the dossiers behind it; the
charts are drawn and the ranking sorts by keyboard. Screenshots at desktop width and on a 360 px phone."""

from __future__ import annotations

import re

from tests.browser.test_lien_thong_walk import sign_in
from tests.indicators.conftest import PERIOD, clock, dataset, results_ca  # noqa: F401 (fixtures)

CHARTS = ("chart-channels", "chart-completion", "chart-breakdown", "chart-trend")


def charts_drawn(page) -> None:
    page.wait_for_function(
        "ids => window.Chart && ids.every(id => Chart.getChart(id))", arg=list(CHARTS), timeout=10_000
    )


def pick_period(page) -> None:
    page.get_by_label("Từ ngày").fill(PERIOD[0].isoformat())
    page.get_by_label("Đến ngày").fill(PERIOD[1].isoformat())
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_load_state()


def test_supervisor_drills_down_to_the_late_dossiers(dataset, page_factory, screenshot):  # noqa: F811
    page = sign_in(page_factory(), "giamsat.tinh")
    page.get_by_role("link", name="Chỉ số giám sát").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Chỉ số giám sát")
    pick_period(page)
    charts_drawn(page)
    screenshot(page, "dashboard-province")

    ranking = page.locator("#st-breakdown")
    ranking.get_by_role("link", name="UBND huyện Châu Thành").click()
    page.wait_for_load_state()
    assert "from=2026-11-20" in page.url and "UBND huyện Châu Thành" in page.locator("h1").inner_text()

    # Sort the ranking by "received", descending, with the keyboard: the commune with data comes first.
    header = page.locator("#st-breakdown thead button", has_text="Tiếp nhận")
    header.focus()
    page.keyboard.press("Enter")
    first = page.locator("#st-breakdown tbody tr").first
    assert first.get_attribute("data-unit") == "000.21.30.H01"
    assert page.locator("#st-breakdown thead th[aria-sort=descending]").count() == 1
    charts_drawn(page)
    screenshot(page, "dashboard-district")

    first.get_by_role("link", name="UBND xã Cần Đăng").click()
    page.wait_for_load_state()
    assert page.locator("#st-breakdown tr[data-procedure]").count() >= 1  # a commune breaks down by procedure
    charts_drawn(page)
    screenshot(page, "dashboard-commune")

    page.locator("#st-metrics tr[data-metric=completed_late] a").click()
    page.wait_for_load_state()
    codes = page.locator("#st-dossiers a.st-code").all_inner_texts()
    assert codes == [dataset["d2"].code]
    assert re.search(r"Hoàn thành quá hạn: 1", page.locator("h1").inner_text())
    screenshot(page, "dashboard-late-list")

    page.goto(f"/stats?unit=000.21.30.H01&from={PERIOD[0]}&to={PERIOD[1]}&lang=en")
    assert page.locator("h1").inner_text().startswith("Supervisor indicators")
    charts_drawn(page)
    screenshot(page, "dashboard-commune-en")


def test_dashboard_on_a_phone(dataset, page_factory, screenshot):  # noqa: F811
    page = sign_in(page_factory(width=360, height=780), "giamsat.chauthanh")
    page.goto(f"/stats?from={PERIOD[0]}&to={PERIOD[1]}")
    charts_drawn(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a 360 px phone"
    screenshot(page, "dashboard-phone")
    page.goto(f"/stats/dossiers?metric=received&unit=000.21.30.H01&from={PERIOD[0]}&to={PERIOD[1]}")
    assert page.locator("#st-dossiers a.st-code").count() == 6
    screenshot(page, "dashboard-phone-list")
