"""Sign-in pages: CSRF, safe redirects, deactivated accounts, start pages, both languages."""

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


def test_deactivated_account_is_told_so_only_after_the_right_password(client, make_user):
    from app.auth.services import set_user_active
    from app.core.uow import unit_of_work

    citizen = make_user("citizen")
    with unit_of_work():
        set_user_active(citizen, False)
    wrong = sign_in(client, citizen.username, "wrong-password")
    assert wrong.status_code == 400 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.get_data(as_text=True)
    right = sign_in(client, citizen.username, "password123")
    assert right.status_code == 403 and "đã bị ngừng kích hoạt" in right.get_data(as_text=True)


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
    user = make_user(role)
    answer = sign_in(client, user.username, "password123")
    assert (
        answer.status_code == 302 and answer.headers["Location"].removeprefix("http://localhost") == landing
    )
    if role == "admin":
        assert client.get("/admin").headers["Location"].endswith("/admin/")
        assert client.get("/admin/").headers["Location"].endswith("/admin/users")
