"""Fixtures of the inbound tests: the national portal simulator (a real HTTP server on loopback) and
the app configured to receive from it, restored after each test."""

from __future__ import annotations

import pytest

from app.national.simulator import PortalSimulator
from tests.inbound.support import HMAC_KEY


@pytest.fixture(scope="session")
def portal():
    simulator = PortalSimulator(mode="poll").start()
    yield simulator
    simulator.stop()


@pytest.fixture
def inbound_app(app, portal):
    """Push and poll on, documents from the simulator only, the national code kept."""
    settings = {
        "INBOUND_TRANSPORT": "push,poll",
        "INBOUND_HMAC_KEY": HMAC_KEY,
        "INBOUND_POLL_URL": portal.url("/lgsp/inbound"),
        "NATIONAL_FILE_URL_PREFIXES": portal.url("/files/"),
        "INBOUND_DOSSIER_CODE": "national",
        "INBOUND_FILE_TIMEOUT_SECONDS": 5,
    }
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    with portal.lock:
        portal.filings.clear()
        portal.files.clear()
        portal.received.clear()
    if portal._server is None:
        portal.up()
    yield app
    app.config.update(saved)
