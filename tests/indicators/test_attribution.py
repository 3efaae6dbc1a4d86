"""Every indicator read by the unit that received, the unit that was competent and the unit whose
leg it was: one liên thông land dossier received at xã Cần Đăng, competent at the district, whose
land-registry leg runs late. The late leg counts against the registry, and the district's ranking
under the leg reading gives the registry figures of its own."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.indicators.metrics import compute_indicators, dossiers_behind, indicators_by_unit
from app.org.queries import get_unit_by_code
from tests.clock import Clock
from tests.factories import act, submit
from tests.web import sign_in

LAND = "1.012790"
COMMUNE, DISTRICT, REGISTRY = "000.21.30.H01", "000.00.30.H01", "000.04.30.H01"
SPAN = (date(2026, 11, 1), date(2026, 12, 31))


@pytest.fixture
def land(monkeypatch, user, make_user):
    clock = Clock(monkeypatch, "2026-11-02 08:00", "app.indicators.metrics")
    dossier = submit(make_user("citizen"), LAND, COMMUNE)
    clock.at("2026-11-02 09:00")
    dossier = act(dossier, "accept", user("tn.candang"))
    dossier = act(dossier, "assign", user("tn.candang"), {"assignee": "cv.candang"})
    clock.at("2026-11-03 09:00")
    dossier = act(dossier, "forward", user("cv.candang"))  # the registry's 15 working days start
    clock.at("2026-12-15 09:00")  # long past the registry's due time
    dossier = act(dossier, "forward", user("cv.vpdk"))
    clock.at("2026-12-15 10:00")
    dossier = act(dossier, "approve", user("ld.chauthanh"))
    clock.at("2026-12-15 11:00")
    dossier = act(dossier, "complete", user("tn.candang"))
    clock.at("2026-12-16 09:00")
    return dossier


def legs_of(dossier) -> Counter:
    return Counter((step.unit.code, step.outcome) for step in dossier.steps if step.finished_at)


def figures(code: str, basis: str) -> dict:
    return compute_indicators(get_unit_by_code(code).id, None, None, *SPAN, basis=basis)


def counts(m: dict) -> tuple:
    return (
        m["received"]["numerator"],
        m["on_time_rate"]["denominator"],
        m["completed_late"]["numerator"],
        m["in_progress_overdue"]["denominator"],
    )


def test_the_dossier_is_what_the_readings_assume(land):
    assert (land.receiving_unit.code, land.competent_unit.code) == (COMMUNE, DISTRICT)
    assert legs_of(land)[(REGISTRY, "late")] == 1
    assert land.outcome == "late"  # 30 working days from 2 Nov are over by 15 Dec


def test_received_counts_the_receiving_commune(land):
    assert counts(figures(COMMUNE, "received")) == (1, 1, 1, 0)
    assert counts(figures(REGISTRY, "received")) == (0, 0, 0, 0)


def test_competent_counts_the_district_not_the_commune_below_it(land):
    # the district People's Committee is competent; the commune under it counts nothing of its own
    assert counts(figures(DISTRICT, "competent")) == (1, 1, 1, 0)
    assert counts(figures(COMMUNE, "competent")) == (0, 0, 0, 0)
    assert counts(figures(REGISTRY, "competent")) == (0, 0, 0, 0)


def test_a_late_leg_counts_against_its_own_unit(land):
    legs = legs_of(land)
    registry = figures(REGISTRY, "leg")
    assert registry["received"]["numerator"] == 1  # it worked on one dossier received in the period
    assert (registry["completed_late"]["numerator"], registry["on_time_rate"]["denominator"]) == (1, 1)
    assert registry["on_time_rate"]["counted"] == "legs"
    commune = figures(COMMUNE, "leg")
    commune_legs = sum(n for (code, _), n in legs.items() if code == COMMUNE)
    assert commune["on_time_rate"]["denominator"] == commune_legs
    assert commune["completed_late"]["numerator"] == legs[(COMMUNE, "late")]  # its own legs were on time
    district = figures(DISTRICT, "leg")  # the whole district: every leg of the dossier
    assert district["on_time_rate"]["denominator"] == sum(legs.values())
    assert district["received"]["numerator"] == 1  # one dossier, however many legs


def test_the_ranking_gives_the_registry_its_own_figures(land):
    rows = {
        r["unit"]["code"]: r["metrics"]
        for r in indicators_by_unit(get_unit_by_code(DISTRICT).id, None, *SPAN, basis="leg")
    }
    assert rows[REGISTRY]["completed_late"]["numerator"] == 1
    assert rows[COMMUNE]["completed_late"]["numerator"] == 0
    received = {
        r["unit"]["code"]: r["metrics"]
        for r in indicators_by_unit(get_unit_by_code(DISTRICT).id, None, *SPAN, basis="received")
    }
    assert (
        received[REGISTRY]["on_time_rate"]["denominator"] == 0
        and received[COMMUNE]["completed_late"]["numerator"] == 1
    )


def test_the_dossiers_behind_a_late_leg(land):
    registry = get_unit_by_code(REGISTRY)
    statement = dossiers_behind("completed_late", registry.id, None, None, *SPAN, basis="leg")
    assert db.session.scalars(statement.with_only_columns(statement.selected_columns.code)).all() == [
        land.code
    ]
    nothing = dossiers_behind("completed_late", registry.id, None, None, *SPAN, basis="received")
    assert db.session.scalar(select(func.count()).select_from(nothing.subquery())) == 0


def test_the_page_offers_the_readings_and_says_which_one_is_shown(land, client):
    sign_in(client, "giamsat.chauthanh")
    span = {"from": SPAN[0].isoformat(), "to": SPAN[1].isoformat()}
    html = client.get("/stats", query_string={**span, "basis": "leg"}).get_data(as_text=True)
    assert re.search(r'<option value="leg" selected>Đơn vị xử lý từng chặng</option>', html)
    basis = re.search(r'<p class="muted" id="st-breakdown-basis">(.*?)</p>', html, re.S).group(1)
    assert "Đơn vị xử lý từng chặng" in basis
    row = re.search(rf'<tr data-unit="{REGISTRY}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(
        r"metric=completed_late[^\"]*basis=leg[^\"]*\">1<|basis=leg[^\"]*metric=completed_late",
        row.replace("&amp;", "&"),
    )
    default = client.get("/stats", query_string=span).get_data(as_text=True)
    assert "Tính theo: <strong>Đơn vị có thẩm quyền giải quyết</strong>" in default
    assert client.get("/stats", query_string={**span, "basis": "nobody"}).status_code == 422
