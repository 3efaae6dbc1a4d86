"""Admin pages are for administrators only: everyone else gets 403 on every page and post, and a
post without a CSRF token is refused. Pages render in Vietnamese and English."""

from __future__ import annotations

import pytest

from tests.web import csrf_token, sign_in

PAGES = ["/admin/users", "/admin/users/new", "/admin/units", "/admin/units/new", "/admin/calendar?year=2026"]


def _posts(user_id: int, unit_id: int) -> list[str]:
    return [
        "/admin/users/new",
        f"/admin/users/{user_id}",
        f"/admin/users/{user_id}/active",
        f"/admin/users/{user_id}/password",
        "/admin/units/new",
        f"/admin/units/{unit_id}",
        f"/admin/units/{unit_id}/active",
        "/admin/calendar/days",
        "/admin/calendar/days/2026-05-04/delete",
    ]


@pytest.mark.parametrize("login", ["congdan", "tn.candang", "cv.candang", "ld.candang", "giamsat.tinh"])
def test_non_admins_get_403_on_every_admin_page_and_post(client, make_user, user, login):
    target = make_user("specialist")
    assert sign_in(client, login).status_code == 302
    for url in PAGES + [f"/admin/users/{target.id}", f"/admin/units/{target.unit_id}"]:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/")
    for url in _posts(target.id, target.unit_id):
        response = client.post(url, data={"csrf_token": token, "active": "0", "full_name": "X"})
        assert response.status_code == 403, url
    assert user(target.username).is_active_account


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_post_without_csrf_token_is_refused(client, make_user, user):
    target = make_user("specialist")
    sign_in(client, "admin")
    response = client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert user(target.username).is_active_account


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_admin_page_renders_in_both_languages(client, user, lang):
    sign_in(client, "admin")
    target = user("cv.candang")
    for url in PAGES + [f"/admin/users/{target.id}", f"/admin/units/{target.unit_id}"]:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}lang={lang}")
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_nav_link_shows_for_admins_only(client):
    sign_in(client, "admin")
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, "tn.candang")
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)
