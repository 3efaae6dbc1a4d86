"""The dashboard's data for API clients: /api/v1/stats/by-unit, /by-procedure, /trend, /dossiers —
the engine's numbers, scoped and validated like /api/v1/stats/indicators, documented in OpenAPI."""

from __future__ import annotations

import pytest

from tests.indicators.conftest import COMMUNE, PERIOD
from tests.indicators.test_metrics import EXPECTED

SPAN = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
DISTRICT = "000.00.30.H01"


def get(client, headers, path: str, **params):
    return client.get(f"/api/v1/stats/{path}", query_string={**SPAN, **params}, headers=headers)


def pairs(metrics: dict) -> dict:
    return {key: (metrics[key]["numerator"], metrics[key]["denominator"]) for key in EXPECTED}


def test_by_unit_ranks_the_district_units(dataset, client, user, auth_headers):
    body = get(client, auth_headers(user("giamsat.chauthanh")), "by-unit").json
    assert (body["unit"], body["from"], body["to"]) == (DISTRICT, "2026-11-20", "2026-12-06")
    rows = {row["unit"]["code"]: row for row in body["rows"]}
    assert pairs(rows[COMMUNE]["metrics"]) == EXPECTED
    assert all(
        row["metrics"]["received"]["denominator"] == 0 for code, row in rows.items() if code != COMMUNE
    )


def test_by_procedure_and_trend(dataset, client, user, auth_headers):
    headers = auth_headers(user("giamsat.tinh"))
    rows = get(client, headers, "by-procedure", unit=COMMUNE).json["rows"]
    birth = next(r for r in rows if r["procedure"]["code"] == "1.001193")
    assert pairs(birth["metrics"]) == EXPECTED and birth["procedure"]["name"]
    trend = get(client, headers, "trend", unit=COMMUNE).json["rows"]
    assert [r["month"] for r in trend][-2:] == ["2026-11", "2026-12"] and len(trend) == 12
    assert trend[-1]["from"] == "2026-12-01" and trend[-1]["metrics"]["completed_late"]["numerator"] == 1


def test_dossiers_behind_a_metric(dataset, client, user, auth_headers):
    body = get(client, auth_headers(user("ld.candang")), "dossiers", metric="completed_late").json
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    (item,) = body["items"]
    assert item["code"] == dataset["d2"].code and item["outcome"] == "late"
    assert item["completed_at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"metric": "score"}, "metric"), ({}, "metric"), ({"metric": "received", "page": "0"}, "page")],
)
def test_dossier_list_parameters_are_checked(client, user, auth_headers, params, field):
    response = get(client, auth_headers(user("giamsat.tinh")), "dossiers", **params)
    assert response.status_code == 422 and field in str(response.json["error"]["details"])


def test_scoped_and_role_checked(client, user, auth_headers):
    district = auth_headers(user("giamsat.chauthanh"))
    assert get(client, district, "by-unit", unit="000.00.31.H01").status_code == 403
    assert get(client, district, "dossiers", metric="received", unit="000.00.31.H01").status_code == 403
    assert get(client, auth_headers(user("cv.candang")), "trend").status_code == 403
    assert client.get("/api/v1/stats/by-procedure").status_code == 401


def test_documented_in_openapi(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("by-unit", "by-procedure", "trend", "dossiers"):
        assert f"/api/v1/stats/{path}" in paths
    parameters = {p["name"] for p in paths["/api/v1/stats/dossiers"]["get"]["parameters"]}
    assert {"metric", "page", "unit", "from", "to"} <= parameters
