"""Sign-in and sign-up pages: CSRF, throttling, safe redirects, both languages."""

from __future__ import annotations

import pytest

from tests.web import csrf_token, sign_in


def test_sign_in_redirects_to_a_local_next_page_only(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"login": "congdan", "password": "demo12345", "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"login": "congdan", "password": "demo12345"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_login_for_a_while(client):
    for _ in range(5):
        assert sign_in(client, "congdan", "wrong-password").status_code == 400
    locked = sign_in(client, "congdan", "demo12345")
    assert locked.status_code == 429 and "quá nhiều lần" in locked.get_data(as_text=True)
    api = client.post("/api/v1/auth/token", json={"username": "congdan", "password": "demo12345"})
    assert api.status_code == 429  # the API shares the lock
    assert sign_in(client, "tn.candang").status_code == 302  # other accounts are not affected


def test_sign_up_refuses_a_taken_citizen_id(client):
    token = csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={
            "citizen_id": "089090000123",
            "full_name": "Ai Đó",
            "phone": "0911000222",
            "password": "password123",
            "confirm": "password123",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400 and "đã có tài khoản" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/register"])
@pytest.mark.parametrize(("lang", "marker"), [("vi", "Mật khẩu"), ("en", "Password")])
def test_pages_render_in_both_languages(client, path, lang, marker):
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 200 and marker in response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("reception", "/work"),
        ("leader", "/work"),
        ("supervisor", "/stats"),
        ("admin", "/admin/users"),
        ("citizen", "/"),
    ],
)
def test_each_user_lands_on_their_own_start_page_after_signing_in(client, make_user, role, landing):
    from tests.portal.support import csrf

    user = make_user(role)
    answer = client.post(
        "/login",
        data={"login": user.username, "password": "password123", "csrf_token": csrf(client, "/login")},
    )
    assert (
        answer.status_code == 302 and answer.headers["Location"].removeprefix("http://localhost") == landing
    )
    if role == "admin":
        assert client.get("/admin").headers["Location"].endswith("/admin/")
        assert client.get("/admin/").headers["Location"].endswith("/admin/users")
