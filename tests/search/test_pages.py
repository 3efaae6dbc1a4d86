"""The search over HTTP: the JSON API (shape, cursor, 422s naming the parameter, roles) and the
staff page /work/search (vi and en), which the staff menu's "Tra cứu hồ sơ" leads to."""

from __future__ import annotations

import re

import pytest

from tests.web import sign_in


def test_api_answers_pages_with_an_opaque_cursor(client, births, user, auth_headers):
    headers = auth_headers(user("tn.candang"))
    first = client.get("/api/v1/search/dossiers?q=tran%20thi%20thao&limit=2", headers=headers)
    assert first.status_code == 200
    body = first.get_json()
    assert [i["code"] for i in body["items"]] == [births["withdrawn"].code, births["refused"].code]
    item = body["items"][0]
    assert (item["state"], item["is_final"], item["national_status"]) == ("withdrawn", True, 7)
    assert item["submitted_at"].endswith("+07:00") and item["unit_code"] == "000.21.30.H01"
    second = client.get(
        f"/api/v1/search/dossiers?q=tran%20thi%20thao&after={body['next_cursor']}", headers=headers
    )
    assert [i["code"] for i in second.get_json()["items"]] == [births["returned"].code]
    assert second.get_json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=not-a-cursor", "after"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("from=2026-13-01", "from"),
        ("from=2026-12-09&to=2026-12-01", "from"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_api_rejects_bad_parameters_by_name(client, user, auth_headers, query, field):
    response = client.get(f"/api/v1/search/dossiers?{query}", headers=auth_headers(user("tn.candang")))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_api_is_for_staff_only(client, make_user, auth_headers):
    assert client.get("/api/v1/search/dossiers").status_code == 401
    citizen = client.get("/api/v1/search/dossiers", headers=auth_headers(make_user("citizen")))
    assert citizen.status_code == 403


@pytest.mark.parametrize(
    ("lang", "title", "state"),
    [("vi", "Tra cứu hồ sơ", "Đã trả kết quả"), ("en", "Track a dossier", "Result returned")],
)
def test_the_page_finds_a_returned_dossier_by_the_end_of_its_code(client, births, lang, title, state):
    returned = births["returned"].code
    sign_in(client, "tn.candang")
    tail = "-".join(returned.rsplit("-", 2)[1:])
    html = client.get(f"/work/search?q={tail}&lang={lang}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    assert re.findall(r'<a class="code" href="/work/dossiers/([^"]+)"', html) == [returned]
    assert state in html


def test_the_page_says_what_is_wrong_with_a_bad_filter(client, births):
    sign_in(client, "tn.candang")
    response = client.get("/work/search?from=2026-12-09&to=2026-12-01")
    assert response.status_code == 422
    assert "Ngày bắt đầu sau ngày kết thúc" in response.get_data(as_text=True)


def _menu_link(html: str, label: str) -> str:
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    return re.search(rf'<a href="([^"]+)">{label}</a>', nav)[1]


def test_the_staff_menu_leads_to_the_staff_search_and_everyone_else_to_public_tracking(client, make_user):
    assert _menu_link(client.get("/").get_data(as_text=True), "Tra cứu hồ sơ") == "/track"
    sign_in(client, "cv.vpdk")
    assert _menu_link(client.get("/work/search").get_data(as_text=True), "Tra cứu hồ sơ") == "/work/search"
    citizen = make_user("citizen")
    other = client.application.test_client()
    sign_in(other, citizen.username, "password123")
    assert _menu_link(other.get("/").get_data(as_text=True), "Tra cứu hồ sơ") == "/track"
    assert other.get("/work/search").status_code == 403


def test_the_direct_answer_is_the_schemas_dump(births, land, user):
    from app.search.queries import SearchFilters, search_dossiers
    from app.search.schemas import SearchPageSchema, search_page_json

    for login in ("tn.candang", "cv.vpdk", "giamsat.tinh"):
        rows, _ = search_dossiers(user(login), SearchFilters(), lang="en")
        assert rows
        for cursor in (None, "b64cursor"):
            direct = search_page_json(rows, cursor)
            dumped = SearchPageSchema().dump({"items": rows, "next_cursor": cursor})
            assert [list(i.items()) for i in direct["items"]] == [list(i.items()) for i in dumped["items"]]
            assert direct["next_cursor"] == dumped["next_cursor"]
