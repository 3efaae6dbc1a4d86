"""Indicators of a period before a merger, per old unit or restated under the unit that took their
work: xã Cần Đăng (the known dataset) and xã Vĩnh Hanh merge into a new commune on 2 Dec 2026. The
totals agree whichever way they are read, and a supervisor of the new commune sees the old ones."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.core.uow import unit_of_work
from app.indicators.metrics import compute_indicators, indicators_by_unit, unit_overview
from app.indicators.permissions import can_see_unit
from app.org.queries import get_unit_by_code
from app.org.services import add_succession, add_unit
from tests.factories import act, submit
from tests.indicators.conftest import COMMUNE, PERIOD
from tests.indicators.test_metrics import EXPECTED, pairs
from tests.notifications.support import BIRTH
from tests.web import sign_in

OTHER = "000.22.30.H01"  # UBND xã Vĩnh Hanh, same district
DISTRICT, PROVINCE = "000.00.30.H01", "000.00.00.H01"
MERGED = "000.41.00.H01"
MERGER = date(2026, 12, 2)


@pytest.fixture
def merged(dataset, clock, user, make_user):
    """Two dossiers at Vĩnh Hanh (received 26 Nov, one completed), then the merger."""
    reception, leader = make_user("reception", OTHER), make_user("leader", OTHER)
    specialist = make_user("specialist", OTHER)
    clock.at("2026-11-26 08:00")
    first = submit(dataset["citizen"], BIRTH, OTHER)
    second = submit(dataset["citizen"], BIRTH, OTHER)
    clock.at("2026-11-26 09:00")
    for dossier in (first, second):
        act(dossier, "accept", reception)
    act(first, "assign", leader, {"assignee": specialist.username})
    act(first, "propose", specialist)
    act(first, "approve", leader)
    act(first, "complete", reception)
    with unit_of_work():
        province = get_unit_by_code(PROVINCE)
        new = add_unit(
            code=MERGED, name="UBND xã Cần Đăng (mới)", level="commune", kind="people_committee",
            parent=province, valid_from=MERGER,
        )  # fmt: skip
        for old in (COMMUNE, OTHER):
            add_succession(get_unit_by_code(old), new, MERGER)
    clock.at("2026-12-01 15:00")
    return new


def test_the_merger_ends_the_old_communes(merged):
    assert get_unit_by_code(COMMUNE).valid_to == date(2026, 12, 1)
    assert get_unit_by_code(OTHER).valid_to == date(2026, 12, 1)


def test_per_old_unit_and_restated_agree_in_total(merged):
    old = [compute_indicators(get_unit_by_code(code).id, None, None, *PERIOD) for code in (COMMUNE, OTHER)]
    assert pairs(old[0]) == EXPECTED  # the old commune keeps its own figures
    assert old[1]["received"]["numerator"] == 2 and old[1]["on_time_rate"]["denominator"] == 1
    summed = {
        k: (a[0] + b[0], a[1] + b[1])
        for (k, a), b in zip(pairs(old[0]).items(), pairs(old[1]).values(), strict=True)
        if a[0] is not None
    }  # noqa: E501
    for structure in ("as_was", "restated"):
        new = pairs(compute_indicators(merged.id, None, None, *PERIOD, structure=structure))
        assert {k: v for k, v in new.items() if k in summed} == summed, structure
    province = get_unit_by_code(PROVINCE).id
    as_was = compute_indicators(province, None, None, *PERIOD, structure="as_was")
    restated = compute_indicators(province, None, None, *PERIOD, structure="restated")
    assert pairs(as_was) == pairs(restated)
    assert as_was["score"]["total"] == restated["score"]["total"]


def test_the_ranking_of_the_province_as_it_was_and_as_restated(merged):
    province = get_unit_by_code(PROVINCE).id
    as_was = {r["unit"]["code"]: r["metrics"] for r in indicators_by_unit(province, None, *PERIOD)}
    restated = {
        r["unit"]["code"]: r["metrics"]
        for r in indicators_by_unit(province, None, *PERIOD, structure="restated")
    }
    # as it was: the district holds both old communes; restated: the new commune holds them
    assert as_was[DISTRICT]["received"]["numerator"] == 8 and as_was[MERGED]["received"]["numerator"] == 0
    assert restated[MERGED]["received"]["numerator"] == 8 and restated[DISTRICT]["received"]["numerator"] == 0
    assert sum(m["received"]["numerator"] for m in as_was.values()) == sum(
        m["received"]["numerator"] for m in restated.values()
    )


def test_the_new_commune_lists_its_old_units_as_they_were(merged):
    total, rows = unit_overview(merged.id, None, *PERIOD)
    by_code = {r["unit"]["code"]: r for r in rows}
    assert set(by_code) == {COMMUNE, OTHER}
    assert by_code[COMMUNE]["unit"]["valid_to"] == "2026-12-01"
    assert pairs(by_code[COMMUNE]["metrics"]) == EXPECTED
    assert total["received"]["numerator"] == sum(r["metrics"]["received"]["numerator"] for r in rows) == 8
    _, now = unit_overview(merged.id, None, *PERIOD, structure="restated")
    assert now == []  # restated, the new commune has no sub-units of its own


def test_a_supervisor_of_the_new_commune_sees_the_old_ones_only(merged, make_user, client):
    supervisor = make_user("supervisor", MERGED)
    assert can_see_unit(supervisor, get_unit_by_code(COMMUNE)) and can_see_unit(
        supervisor, get_unit_by_code(OTHER)
    )
    assert not can_see_unit(supervisor, get_unit_by_code(DISTRICT))
    assert not can_see_unit(supervisor, get_unit_by_code("000.23.30.H01"))  # another commune
    sign_in(client, supervisor.username, "password123")
    span = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
    html = client.get("/stats", query_string=span).get_data(as_text=True)
    assert f'<tr data-unit="{COMMUNE}">' in html and "đơn vị cũ, đến 01/12/2026" in html
    assert '<option value="restated">Quy về đơn vị hiện nay</option>' in html
    restated = client.get("/stats", query_string={**span, "structure": "restated"}).get_data(as_text=True)
    assert "<strong>Quy về đơn vị hiện nay</strong>" in restated
    received = re.search(r'data-card="received">.*?st-card__value">(.*?)</span>', restated, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", received).strip() == "8"
    assert client.get("/stats", query_string={**span, "unit": COMMUNE}).status_code == 200
    assert client.get("/stats", query_string={**span, "unit": DISTRICT}).status_code == 403
