from __future__ import annotations

import pytest

from tests.portal.support import sign_in


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", email="cd@example.vn", phone="0912345678")


@pytest.fixture
def signed_in(client, citizen):
    """The test client, signed in as `citizen` through the sign-in page."""
    sign_in(client, citizen.username)
    return client
