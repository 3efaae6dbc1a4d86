"""Fixtures for the officer workspace: signed-in officers (one test client each), a citizen and
dossiers of the birth registration (commune only) and the liên thông land procedure."""

from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient

from tests.factories import submit
from tests.web import sign_in

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs
LAND = "1.012790"  # first land certificate: commune → district land registry → district PC


@pytest.fixture
def in_process_jobs(app, monkeypatch):
    """Jobs (outbox dispatch, form rendering) run right after commit in this process."""
    monkeypatch.delitem(app.extensions, "redis")


class OwnTokenClient(FlaskClient):
    """Requests of a test share the test's app context, so `g` too: Flask-WTF caches the CSRF token
    there. Each client drops it first, so every officer gets the token of their own session."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def officer(app):
    """A test client signed in as the given account (password demo12345 unless given)."""

    def make(login: str, password: str = "demo12345"):  # noqa: S107 (demo fixture password)
        client = OwnTokenClient(app, app.response_class, use_cookies=True)
        assert sign_in(client, login, password).status_code == 302
        return client

    return make


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", phone="0912345678", address="ấp An Hòa, xã Cần Đăng")


@pytest.fixture
def birth(citizen):
    return submit(citizen, BIRTH)


@pytest.fixture
def land(citizen):
    return submit(citizen, LAND)
