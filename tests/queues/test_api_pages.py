"""The queue over HTTP: the JSON API (cursor, 422s, roles) and the /work pages (vi and en, staff only)."""

from __future__ import annotations

import pytest

from tests.web import sign_in


@pytest.fixture
def three(clock, new_dossier, walk):
    clock.at("2026-12-07 07:10")
    first = new_dossier()
    clock.at("2026-12-07 07:20")
    second = new_dossier()
    clock.at("2026-12-07 07:30")
    third = walk(new_dossier(), "accept")
    return [first.code, second.code, third.code]


def test_api_pages_with_an_opaque_cursor(client, three, user, auth_headers):
    headers = auth_headers(user("tn.candang"))
    first = client.get("/api/v1/queues/reception?limit=2", headers=headers)
    assert first.status_code == 200
    body = first.get_json()
    assert [i["code"] for i in body["items"]] == three[:2]
    assert body["items"][0]["applicant_name"] == "Nguyễn Thị Ánh"
    assert body["items"][0]["due_at"] is None
    second = client.get(f"/api/v1/queues/reception?limit=2&after={body['next_cursor']}", headers=headers)
    body2 = second.get_json()
    assert [i["code"] for i in body2["items"]] == three[2:]
    assert body2["next_cursor"] is None
    assert body2["items"][0]["due_at"].endswith("+07:00")


def test_api_search_and_filters(client, three, user, auth_headers):
    headers = auth_headers(user("tn.candang"))
    found = client.get("/api/v1/queues/reception?q=nguyen%20thi%20anh&state=accepted", headers=headers)
    assert [i["code"] for i in found.get_json()["items"]] == three[2:]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=not-a-cursor", "after"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("channel=fax", "channel"),
        ("from=2026-13-01", "from"),
        ("overdue=maybe", "overdue"),
        ("from=2026-12-09&to=2026-12-01", "from"),
    ],
)
def test_api_rejects_bad_parameters_by_name(client, user, auth_headers, query, field):
    response = client.get(f"/api/v1/queues/reception?{query}", headers=auth_headers(user("tn.candang")))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_api_is_for_officers_only(client, user, make_user, auth_headers):
    assert client.get("/api/v1/queues/reception").status_code == 401
    citizen = client.get("/api/v1/queues/reception", headers=auth_headers(make_user("citizen")))
    assert citizen.status_code == 403
    assert client.get("/api/v1/queues/admin", headers=auth_headers(user("tn.candang"))).status_code == 404


def test_work_redirects_each_officer_to_their_queue(client):
    sign_in(client, "cv.candang")
    response = client.get("/work")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/work/queues/specialist")


@pytest.mark.parametrize(
    ("lang", "headings", "badge"),
    [("vi", ["Việc cần xử lý"], "Quá hạn"), ("en", ["My work"], None)],
)
def test_queue_page_lists_rows_with_links_and_flags(client, clock, three, lang, headings, badge):
    sign_in(client, "tn.candang")
    clock.at("2026-12-08 09:00")  # the accepted same-day dossier is overdue now
    html = client.get(f"/work/queues/reception?lang={lang}").get_data(as_text=True)
    assert any(f"<h1>{h}</h1>" in html for h in headings)
    assert f'<html lang="{lang}">' in html
    for code in three:
        assert f'href="/work/dossiers/{code}"' in html
    assert html.index(three[0]) < html.index(three[1]) < html.index(three[2])
    assert 'accesskey="s"' in html and "autofocus" in html
    assert "table--responsive" in html
    if badge:
        assert f'badge--bad">{badge}' in html


def test_queue_page_next_link_keeps_filters(client, three):
    sign_in(client, "tn.candang")
    html = client.get("/work/queues/reception?limit=1&procedure=1.001193").get_data(as_text=True)
    assert "Trang sau" in html
    assert "procedure=1.001193" in html and "after=" in html


def test_queue_page_reports_bad_filters(client, three):
    sign_in(client, "tn.candang")
    response = client.get("/work/queues/reception?from=nonsense")
    assert response.status_code == 422
    assert "from" in response.get_data(as_text=True)


def test_nav_link_for_staff(client):
    sign_in(client, "ld.candang")
    assert 'href="/work">Việc cần xử lý' in client.get("/").get_data(as_text=True)


def test_no_nav_link_for_citizens(client, make_user):
    sign_in(client, make_user("citizen").username, "password123")
    assert 'href="/work"' not in client.get("/").get_data(as_text=True)


def test_citizens_get_403(client, make_user):
    citizen = make_user("citizen")
    sign_in(client, citizen.username, "password123")
    assert client.get("/work/queues/reception").status_code == 403
    assert client.get("/work").status_code == 403


def test_signed_out_users_are_sent_to_login(client):
    response = client.get("/work/queues/reception")
    assert response.status_code in (302, 401)


def test_no_work_link_for_supervisors_who_have_no_queue(client):
    sign_in(client, "giamsat.tinh")
    assert 'href="/work"' not in client.get("/").get_data(as_text=True)
