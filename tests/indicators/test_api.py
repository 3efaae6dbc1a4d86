"""GET /api/v1/stats/indicators: same numbers as the engine, scoped by role, validated, live."""

from __future__ import annotations

from tests.factories import act
from tests.indicators.conftest import COMMUNE
from tests.indicators.test_metrics import EXPECTED

URL = "/api/v1/stats/indicators"
PERIOD = {"from": "2026-11-20", "to": "2026-12-06"}


def pairs(body: dict) -> dict:
    metrics = body["metrics"]
    return {key: (metrics[key]["numerator"], metrics[key]["denominator"]) for key in EXPECTED}


def get(client, headers, **params):
    return client.get(URL, query_string={**PERIOD, **params}, headers=headers)


def test_api_returns_the_engine_numbers(dataset, client, user, auth_headers):
    response = get(client, auth_headers(user("giamsat.tinh")), unit=COMMUNE)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["unit"], body["from"], body["to"]) == (COMMUNE, "2026-11-20", "2026-12-06")
    assert pairs(body) == EXPECTED
    assert body["metrics"]["score"]["total"] == {"points": 28.33, "max": 100, "counted": 50}
    assert (body["basis"], body["structure"]) == ("competent", "as_was")
    online = next(t for t in body["targets"] if t["metric"] == "online_share")
    assert (online["value"], online["valid_from"], online["confirmed"]) == (0.8, "2026-01-01", True)
    assert "71/NQ-CP" in online["source"]


def test_default_unit_is_the_callers_and_level_filters(dataset, client, user, auth_headers):
    headers = auth_headers(user("giamsat.chauthanh"))
    body = get(client, headers).json
    assert body["unit"] == "000.00.30.H01" and pairs(body) == EXPECTED
    assert get(client, headers, level="commune").json["metrics"]["received"]["denominator"] == 6
    assert get(client, headers, level="district").json["metrics"]["received"]["denominator"] == 0


def test_supervisor_outside_their_subtree_is_refused(client, user, auth_headers):
    response = get(client, auth_headers(user("giamsat.chauthanh")), unit="000.00.01.H01")
    assert response.status_code == 403


def test_roles_other_than_supervisor_leader_admin_are_refused(client, user, auth_headers):
    assert get(client, auth_headers(user("cv.candang"))).status_code == 403
    assert client.get(URL).status_code == 401


def test_bad_parameters_are_named(client, user, auth_headers):
    headers = auth_headers(user("giamsat.tinh"))
    bad_date = client.get(URL, query_string={"from": "2026-13-01"}, headers=headers)
    assert bad_date.status_code == 422 and "from" in str(bad_date.json)
    reversed_period = client.get(
        URL, query_string={"from": "2026-12-06", "to": "2026-11-01"}, headers=headers
    )
    assert reversed_period.status_code == 422 and "from" in str(reversed_period.json)
    unknown = get(client, headers, unit="nope", level="nope", procedure="nope")
    assert unknown.status_code == 422
    assert {"level", "procedure"} <= set(unknown.json["error"]["details"])
    assert get(client, headers, unit="nope").json["error"]["details"] == {"unit": "Không có đơn vị mã 'nope'"}


def test_numbers_are_live(dataset, client, user, auth_headers):
    headers = auth_headers(user("ld.candang"))
    assert get(client, headers).json["metrics"]["received"]["numerator"] == 6
    act(dataset["d5"], "accept", user("tn.candang"))  # at "now", Tue 1 Dec 15:00
    body = get(client, headers).json
    assert body["metrics"]["received"]["numerator"] == 7
    assert body["metrics"]["in_progress_overdue"]["denominator"] == 4


def test_indicators_are_documented_in_openapi(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"unit", "level", "procedure", "from", "to"}
