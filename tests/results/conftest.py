"""Results tests sign with a test certificate authority of the session (app.results.keys), trusted
by the app's trust list; `other_ca` is a second one nobody trusts."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    return tmp_path_factory.mktemp("results-ca")


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory):
    return tmp_path_factory.mktemp("other-ca")


@pytest.fixture
def signing(app, test_ca, monkeypatch):
    """Results are signed with each unit's key of the session's test CA, which the trust list holds."""
    monkeypatch.setitem(app.config, "RESULT_TEST_CA_DIR", str(test_ca))
    return test_ca
