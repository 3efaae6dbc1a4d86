"""The public procedure catalogue: `GET /api/v1/procedures[/<code>]`, no authentication."""

from __future__ import annotations

import pytest

SHIPPED_CODES = {"1.001193", "2.000815", "2.000720", "1.009979", "1.012790", "2.000488"}


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["code"] for item in response.get_json()}


def test_list_shows_every_procedure_in_effect(client):
    response = client.get("/api/v1/procedures")

    assert _codes(response) == SHIPPED_CODES
    birth = next(item for item in response.get_json() if item["code"] == "1.001193")
    assert birth["name"] == {"vi": "Đăng ký khai sinh", "en": "Birth registration"}
    assert birth["deadline"] == {"kind": "same_day", "amount": None, "cutoff": "15:00"}
    assert birth["receiving"] == {"level": "commune", "kinds": ["people_committee"]}


@pytest.mark.parametrize(
    "query", ["khai sinh", "dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH"]
)
def test_search_ignores_diacritics(client, query):
    assert _codes(client.get("/api/v1/procedures", query_string={"q": query})) == {"1.001193"}


def test_search_without_a_match_is_an_empty_list(client):
    assert _codes(client.get("/api/v1/procedures", query_string={"q": "khai tử"})) == set()


def test_filter_by_competent_level_and_field(client):
    district = client.get("/api/v1/procedures", query_string={"level": "district"})
    civil_status = client.get("/api/v1/procedures", query_string={"field": "ho_tich"})

    assert _codes(district) == {"2.000720", "1.009979", "1.012790"}
    assert _codes(civil_status) == {"1.001193"}


def test_unknown_level_is_a_422_naming_the_parameter(client):
    response = client.get("/api/v1/procedures", query_string={"level": "ward"})

    assert response.status_code == 422
    assert "level" in response.get_json()["error"]["details"]


def test_detail_returns_the_full_definition(client):
    response = client.get("/api/v1/procedures/1.012790")

    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 1
    assert body["competent_level"] == "district"
    assert body["online_level"] == "mot_phan"
    assert body["fee"]["amount"] == 100000
    assert body["deadline"] == {"kind": "working_days", "amount": 30, "cutoff": None}
    assert "don_dang_ky" in {doc["key"] for doc in body["documents"]}
    assert {"key", "label", "type", "required", "choices", "max_length"} <= set(body["form"][0])
    states = {state["name"]: state for state in body["states"]}
    assert states["payment_requested"]["national_code"] == 6
    assert states["returned"]["is_final"] is True
    forward = next(t for t in body["transitions"] if t["name"] == "forward")
    assert forward["from"] == ["commune_verifying"]
    assert forward["to"] == "registry_appraising"
    assert forward["forward_to"] == {"kind": "land_registry", "level": None, "under": "district", "serving": None}
    assert forward["step"]["budget"]["amount"] == 15
    assert forward["label"]["vi"] == "Chuyển Văn phòng đăng ký đất đai"


def test_detail_of_a_given_version(client):
    response = client.get("/api/v1/procedures/1.001193", query_string={"version": 1})

    assert response.status_code == 200
    assert response.get_json()["version"] == 1


@pytest.mark.parametrize("url", ["/api/v1/procedures/9.999999", "/api/v1/procedures/1.001193?version=42"])
def test_unknown_procedure_is_a_404(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_version_must_be_a_number(client):
    response = client.get("/api/v1/procedures/1.001193", query_string={"version": "latest"})

    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["details"]
