"""Anonymous filing is limited per client address (Flask-Limiter); refused forms do not count and
signed-in citizens are not limited."""

from __future__ import annotations

import pytest

from tests.petitions.conftest import JUDICIAL, client_from, signed_in, some_address
from tests.web import csrf_token

FORM = {
    "kind": "petition",
    "procedure_code": JUDICIAL,
    "title": "Giảm giấy tờ",
    "content": "Đề nghị bỏ bản sao.",
}


@pytest.fixture
def two_per_hour(app, monkeypatch):
    monkeypatch.setitem(app.config, "PETITION_ANONYMOUS_LIMIT", "2 per hour")


def _file(client, **fields):
    return client.post(
        "/petitions/new", data={"csrf_token": csrf_token(client, "/petitions/new"), **FORM, **fields}
    )


def test_a_third_anonymous_petition_from_one_address_within_the_hour_is_refused(app, two_per_hour):
    address = some_address()
    visitor = client_from(app, address)
    assert _file(visitor, title="").status_code == 400  # refused forms cost nothing
    assert [_file(visitor).status_code for _ in range(2)] == [302, 302]
    refused = _file(visitor)
    assert refused.status_code == 429
    assert "Bạn đã gửi nhiều phản ánh, kiến nghị" in refused.get_data(as_text=True)
    assert refused.headers.get("Retry-After")
    assert _file(client_from(app, address)).status_code == 429  # a new browser, the same address
    assert _file(client_from(app)).status_code == 302  # another address


def test_signed_in_citizens_are_not_limited(app, two_per_hour, citizen):
    owner = signed_in(app, citizen.username, "password123")
    assert [_file(owner).status_code for _ in range(3)] == [302, 302, 302]
