"""Fixtures for the officer workspace: signed-in officers (one test client each), a citizen and
dossiers of the birth registration (commune only) and the liên thông land procedure."""

from __future__ import annotations

import pytest

from tests.factories import submit
from tests.web import signed_in_client

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs
LAND = "1.012790"  # first land certificate: commune → district land registry → district PC


@pytest.fixture
def in_process_jobs(app, monkeypatch):
    """Jobs (outbox dispatch, form rendering) run right after commit in this process."""
    monkeypatch.delitem(app.extensions, "redis")


@pytest.fixture
def officer(app):
    """A test client signed in as the given account (password demo12345 unless given)."""
    return lambda login, password="demo12345": signed_in_client(app, login, password)


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", phone="0912345678", address="ấp An Hòa, xã Cần Đăng")


@pytest.fixture
def birth(citizen):
    return submit(citizen, BIRTH)


@pytest.fixture
def land(citizen):
    return submit(citizen, LAND)
