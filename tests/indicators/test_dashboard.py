"""The supervisor dashboard pages (/stats): who may see them, scoping, the engine's numbers on the page
and in the charts' JSON, the dossiers behind a number, bad parameters, English."""

from __future__ import annotations

import re

import pytest

from app.dossiers.models import Dossier
from app.extensions import db
from app.indicators.metrics import compute_indicators, dossiers_behind
from app.org.queries import get_unit_by_code
from tests.indicators.conftest import COMMUNE, PERIOD
from tests.indicators.test_metrics import EXPECTED
from tests.web import sign_in

DISTRICT = "000.00.30.H01"
SPAN = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
CODE_RE = re.compile(r'href="/work/dossiers/([^"]+)"')


def page(client, url: str = "/stats", **params):
    return client.get(url, query_string={**SPAN, **params})


def listed(client, metric: str, **params) -> set[str]:
    response = page(client, "/stats/dossiers", metric=metric, **params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return set(CODE_RE.findall(response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("login", "status"),
    [
        ("giamsat.tinh", 200),
        ("giamsat.chauthanh", 200),
        ("ld.candang", 200),
        ("admin", 200),
        ("cv.candang", 403),
        ("tn.candang", 403),
        ("congdan", 403),
    ],
)
def test_who_may_open_the_dashboard(client, login, status):
    sign_in(client, login)
    assert page(client).status_code == status
    assert page(client, "/stats/dossiers", metric="received").status_code == status
    assert page(client, "/stats/export.csv").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/stats")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nav_link_only_for_supervisors_leaders_and_admins(client):
    sign_in(client, "giamsat.tinh")
    assert 'href="/stats"' in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": ""})
    other = client.application.test_client()
    sign_in(other, "cv.candang")
    assert 'href="/stats"' not in other.get("/").get_data(as_text=True)


def test_district_supervisor_cannot_see_another_district_or_the_province_units(client):
    sign_in(client, "giamsat.chauthanh")
    assert page(client, unit="000.00.31.H01").status_code == 403
    assert page(client, unit="000.00.01.H01").status_code == 403
    assert page(client, "/stats/dossiers", metric="received", unit="000.00.31.H01").status_code == 403
    assert page(client, "/stats/export.xlsx", unit="000.00.31.H01").status_code == 403
    assert page(client, "/stats/charts.json", unit="000.00.31.H01").status_code == 403
    assert page(client, unit=COMMUNE).status_code == 200


def test_overview_shows_the_engine_numbers(dataset, client):
    sign_in(client, "giamsat.tinh")
    html = page(client, unit=COMMUNE).get_data(as_text=True)
    assert "Chỉ số giám sát" in html and "UBND xã Cần Đăng" in html
    for key, (numerator, denominator) in EXPECTED.items():
        row = re.search(rf'<tr data-metric="{key}">(.*?)</tr>', html, re.S)
        assert row, key
        cells = re.findall(r'<td class="st-num">(.*?)</td>', row.group(1), re.S)
        shown = re.sub(r"<[^>]+>", "", cells[0]).strip()
        assert (shown, cells[1].strip()) == ("—" if numerator is None else str(numerator), str(denominator))
    score = re.search(r'<h2 id="h-score">[^<]*: ([\d,]+) / (\d+)</h2>', html)
    assert score.groups() == ("28,33", "100")
    assert "Chưa có dữ liệu thanh toán trực tuyến" in html  # payment group says why it has no points


def test_district_ranking_lists_its_units_with_drill_links(dataset, client):
    sign_in(client, "giamsat.chauthanh")
    html = page(client).get_data(as_text=True)
    row = re.search(rf'<tr data-unit="{COMMUNE}">(.*?)</tr>', html, re.S).group(1)
    assert f"/stats?unit={COMMUNE}" in row.replace("&amp;", "&")
    late_link = re.search(r'href="(/stats/dossiers\?metric=completed_late[^"]*)">1<', row).group(1)
    assert f"unit={COMMUNE}" in late_link
    assert 'class="table st-table st-sortable"' in html
    assert html.count('<tr data-unit="') == len(get_unit_by_code(DISTRICT).children)


def test_commune_breaks_down_by_procedure(dataset, client):
    sign_in(client, "giamsat.tinh")
    html = page(client, unit=COMMUNE).get_data(as_text=True)
    assert '<tr data-procedure="1.001193">' in html and "<tr data-unit=" not in html
    row = re.search(r'<tr data-procedure="1.001193">(.*?)</tr>', html, re.S).group(1)
    assert "metric=completed_late" in row


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("completed_late", {"d2"}),
        ("completed_early", {"d7"}),
        ("in_progress_overdue", {"d4"}),
        ("in_progress_near_due", {"d3"}),
        ("received_counter", {"d3"}),
        ("reused_documents", {"d4"}),
        ("received", {"d1", "d2", "d3", "d4", "d6", "d7"}),
    ],
)
def test_dossier_list_is_the_engines_numerator(dataset, client, metric, expected):
    sign_in(client, "giamsat.tinh")
    codes = listed(client, metric, unit=DISTRICT)
    assert codes == {dataset[name].code for name in expected}
    unit = get_unit_by_code(DISTRICT)
    statement = dossiers_behind(metric, unit.id, None, None, *PERIOD)
    behind = set(db.session.scalars(statement.with_only_columns(Dossier.code)))
    assert codes == behind
    assert len(codes) == compute_indicators(unit.id, None, None, *PERIOD)[metric]["numerator"]


def test_dossier_list_pages(dataset, client, monkeypatch):
    monkeypatch.setattr("app.indicators.dashboard.PAGE_SIZE", 4)
    sign_in(client, "giamsat.tinh")
    first, second = listed(client, "received", unit=COMMUNE), listed(client, "received", unit=COMMUNE, page=2)
    assert len(first) == 4 and len(second) == 2 and not first & second
    assert "Trang 1 / 2" in page(client, "/stats/dossiers", metric="received", unit=COMMUNE).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"url": "/stats/dossiers", "metric": "score"}, "metric"),
        ({"url": "/stats/dossiers"}, "metric"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-12-06", "to": "2026-11-01"}, "from"),
        ({"unit": "nope"}, "unit"),
        ({"level": "galaxy"}, "level"),
        ({"procedure": "9.9"}, "procedure"),
        ({"breakdown": "colour"}, "breakdown"),
        ({"url": "/stats/dossiers", "metric": "received", "page": "0"}, "page"),
        ({"url": "/stats/export.csv", "view": "everything"}, "view"),
    ],
)
def test_bad_parameters_get_a_clear_4xx(client, params, named):
    sign_in(client, "giamsat.tinh")
    url = params.pop("url", "/stats")
    response = page(client, url, **params)
    assert response.status_code == 422
    assert named in response.get_data(as_text=True)


def test_unknown_export_format_is_404(client):
    sign_in(client, "giamsat.tinh")
    assert page(client, "/stats/export.pdf").status_code == 404


def test_chart_json_carries_the_engine_numbers_and_targets(dataset, client):
    sign_in(client, "giamsat.chauthanh")
    body = page(client, "/stats/charts.json").json
    assert body["channels"] == [5, 1, 0] and body["completion"] == [1, 1, 1]
    assert body["targets"]["online_share"] == 0.8  # the 2030 target, in force on the period's end
    commune = next(r for r in body["breakdown"] if r["label"] == "UBND xã Cần Đăng")
    assert commune["online_share"] == pytest.approx(5 / 6)
    months = {r["month"]: r for r in body["trend"]}
    assert len(months) == 12 and months["2026-11"]["received"] == 4 and months["2026-12"]["received"] == 2


def test_english_rendering(dataset, client):
    sign_in(client, "giamsat.tinh")
    html = page(client, unit=DISTRICT, lang="en").get_data(as_text=True)
    assert "Supervisor indicators" in html and "Unit ranking" in html
    assert "Chỉ số giám sát" not in html
    listing = page(client, "/stats/dossiers", metric="completed_late", unit=COMMUNE, lang="en")
    assert "Completed late" in listing.get_data(as_text=True)


def _statements(client, **params) -> int:
    from sqlalchemy import event

    seen = []

    def count(*_args) -> None:
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert page(client, **params).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_page_runs_a_bounded_number_of_queries(dataset, client):
    """One call of each engine function per page and no query per table row: the overview and ranking
    about 10 statements, the 12-month trend 2 a month, the page itself a few (one of them bounds the
    statements' time)."""
    sign_in(client, "giamsat.tinh")
    _statements(client)  # warm the per-process caches (calendar, registry)
    province, district = _statements(client), _statements(client, unit=DISTRICT)
    by_procedure = _statements(client, unit=DISTRICT, breakdown="procedure")
    assert max(province, district, by_procedure) <= 51, (province, district, by_procedure)
