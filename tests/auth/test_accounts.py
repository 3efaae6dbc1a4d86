"""Accounts, tokens and the `flask users create` command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.auth.models import ApiToken, User
from app.core.db import utcnow
from app.core.errors import ConflictError, ValidationError
from app.extensions import db
from tests.web import totp_code


def test_token_for_demo_account_and_its_use(client, user):
    body = {"username": "tn.candang", "password": "demo12345", "otp": totp_code("tn.candang")}
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["role"] == "reception"
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1  # only the hash is kept
    assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_staff_tokens_need_the_second_factor(client, make_user):
    login = {"username": "tn.candang", "password": "demo12345"}
    missing = client.post("/api/v1/auth/token", json=login)
    assert missing.status_code == 401 and "otp" in missing.json["error"]["details"]
    wrong = client.post("/api/v1/auth/token", json={**login, "otp": "000000"})
    assert (
        wrong.status_code == 401
        and wrong.json["error"]["message"] == "Mã xác thực không đúng hoặc đã được dùng"
    )
    code = totp_code("tn.candang")
    assert client.post("/api/v1/auth/token", json={**login, "otp": code}).status_code == 201
    replayed = client.post("/api/v1/auth/token", json={**login, "otp": code})
    assert replayed.status_code == 401  # a code is accepted once
    fresh = make_user("specialist", second_factor=False)
    refused = client.post("/api/v1/auth/token", json={"username": fresh.username, "password": "password123"})
    assert refused.status_code == 403 and "xác thực hai lớp" in refused.json["error"]["message"]


def test_citizen_signs_in_with_citizen_id(client):
    response = client.post("/api/v1/auth/token", json={"username": "089090000123", "password": "demo12345"})
    assert response.status_code == 201 and response.json["role"] == "citizen"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "tn.candang", "password": "wrong-password"},
        {"username": "nobody", "password": "demo12345"},
    ],
)
def test_wrong_credentials_get_one_generic_401(client, body):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.json["error"]["message"] == "Sai tên đăng nhập hoặc mật khẩu"


def test_missing_fields_are_named(client):
    response = client.post("/api/v1/auth/token", json={})
    assert response.status_code == 422
    assert set(response.json["error"]["details"]) == {"username", "password"}


def test_expired_token_is_refused(client, user, auth_headers):
    headers = auth_headers(user("tn.candang"))
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401


def test_create_user_validates_every_field_at_once(make_user):
    with pytest.raises(ValidationError) as info:
        make_user("citizen", username="x", password="short", citizen_id="003090000123", email="no")
    assert {"username", "password", "citizen_id", "email"} <= set(info.value.details)


def test_staff_needs_a_unit_and_names_must_be_unique(make_user):
    from app.auth.services import create_user

    with pytest.raises(ValidationError) as info:
        create_user(username="nounit", password="password123", role="specialist", full_name="A")
    assert "unit" in info.value.details
    with pytest.raises(ConflictError):
        make_user("reception", username="tn.candang")


def test_cli_users_create(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "cv.moi",
            "--password",
            "password123",
            "--role",
            "specialist",
            "--unit",
            "000.02.30.H01",
        ]
    )
    assert result.exit_code == 0, result.output
    created = db.session.scalar(select(User).where(User.username == "cv.moi"))
    assert created.unit.code == "000.02.30.H01" and created.check_password("password123")
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "cv.moi2",
            "--password",
            "password123",
            "--role",
            "wizard",
            "--unit",
            "999.99.99.Z99",
        ]
    )
    assert bad.exit_code != 0 and "role" in bad.output and "unit" in bad.output
