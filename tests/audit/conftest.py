"""Fixtures for the audit tests: a birth registration dossier with a short history, and clients
signed in as officers, citizens and the administrator."""

from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient

from tests.factories import act, submit
from tests.web import sign_in

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs


class OwnTokenClient(FlaskClient):
    """Each client drops the CSRF token cached in the shared `g`, so every account gets its own."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def signed_in(app):
    def make(login: str, password: str = "demo12345"):  # noqa: S107 (demo fixture password)
        client = OwnTokenClient(app, app.response_class, use_cookies=True)
        assert sign_in(client, login, password).status_code == 302
        return client

    return make


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", phone="0912345678")


@pytest.fixture
def dossier(citizen, user):
    """Four events: submitted, accepted, assigned, proposed."""
    found = submit(citizen, BIRTH)
    act(found, "accept", user("tn.candang"))
    act(found, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(found, "propose", user("cv.candang"), {"comment": "Đủ điều kiện"})
    return found


@pytest.fixture
def verify_cli(app):
    def run(*args: str):  # noqa: ANN202
        return app.test_cli_runner().invoke(args=["audit", "verify", *args])

    return run
