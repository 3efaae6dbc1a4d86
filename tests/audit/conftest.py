"""Fixtures for the audit tests: a birth registration dossier with a short history, and clients
signed in as officers, citizens and the administrator."""

from __future__ import annotations

import pytest

from tests.factories import act, submit
from tests.web import signed_in_client

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs


@pytest.fixture
def signed_in(app):
    return lambda login, password="demo12345": signed_in_client(app, login, password)


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
