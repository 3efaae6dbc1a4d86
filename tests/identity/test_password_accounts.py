"""Where a province turns local password accounts for citizens off (CITIZEN_PASSWORD_ACCOUNTS),
citizens neither sign up nor sign in with a password; staff still do."""

from __future__ import annotations

import pytest

from tests.web import csrf_token, sign_in


@pytest.fixture
def password_accounts_off(app):
    app.config["CITIZEN_PASSWORD_ACCOUNTS"] = False
    yield
    app.config["CITIZEN_PASSWORD_ACCOUNTS"] = True


def test_citizens_use_electronic_identification_only_where_password_accounts_are_off(
    client, password_accounts_off, make_user
):
    assert client.get("/register").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    assert "/register" not in page
    citizen = make_user("citizen")
    refused = client.post(
        "/login",
        data={
            "login": citizen.username,
            "password": "password123",
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert refused.status_code == 403 and "định danh điện tử (VNeID)" in refused.get_data(as_text=True)
    assert sign_in(client, "tn.candang").status_code == 302  # staff sign in as before


def test_the_embedded_demo_keeps_password_accounts(client):
    assert client.get("/register").status_code == 200
