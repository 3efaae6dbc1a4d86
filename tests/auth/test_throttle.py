"""Throttling that cannot be turned against users: per-address limits on the address the trusted proxy
saw, a growing delay per account instead of a lock-out, browsers that signed in before unaffected by
anyone else's failures, and the same answers for existing and unknown accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth import throttle
from app.core.db import utcnow
from tests.auth.support import new_client, post_login
from tests.web import csrf_token

PROXY_LIMIT_ATTEMPTS = 1000


def test_a_thousand_failures_from_one_address_do_not_stop_another_user_behind_the_same_proxy(app, make_user):
    victim = make_user("citizen")
    attacker = new_client(app)
    token = csrf_token(attacker, "/login")
    statuses = [
        post_login(attacker, f"guess{n % 50}", "wrong-password", "203.0.113.66", token).status_code
        for n in range(PROXY_LIMIT_ATTEMPTS)
    ]
    assert statuses[:30] == [400] * 30  # the per-address limit of failures (30 a minute) ...
    assert set(statuses[30:]) == {429}  # ... then that address must wait
    still = post_login(attacker, victim.username, "password123", "203.0.113.66", token)
    assert still.status_code == 429 and "Retry-After" in still.headers

    other = new_client(app)  # through the same reverse proxy (10.0.0.1), from another address
    signed = post_login(other, victim.username, "password123", "198.51.100.7")
    assert signed.status_code == 302 and signed.headers["Location"] == "/"
    assert other.get("/drafts").status_code == 200


def test_the_forwarded_address_counts_only_as_far_as_the_trusted_proxy(app):
    """A client cannot pick its own address: with one trusted proxy, only the address that proxy
    appended is believed, whatever the client wrote before it."""
    attacker = new_client(app)
    token = csrf_token(attacker, "/login")
    for n in range(30):
        forged = f"192.0.2.{n}, 203.0.113.99"  # the client's own guesses, then what the proxy saw
        assert post_login(attacker, f"nobody{n}", "x", forged, token).status_code == 400
    assert post_login(attacker, "somebody", "x", "192.0.2.200, 203.0.113.99", token).status_code == 429


def test_an_attackers_wrong_passwords_do_not_stop_the_owner(app, make_user, monkeypatch):
    owner = make_user("citizen")
    browser = new_client(app)  # the owner's own browser, which signed in before
    assert post_login(browser, owner.username, "password123", "198.51.100.20").status_code == 302
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})

    for n in range(40):  # from many addresses, so that no per-address limit is in the way
        attacker = new_client(app)
        post_login(attacker, owner.username, f"guess-{n}", f"203.0.113.{n + 1}")
    slowed = post_login(new_client(app), owner.username, "guess-x", "203.0.113.200")
    assert slowed.status_code == 429  # the account is slowed down for browsers it does not know

    mine = post_login(browser, owner.username, "password123", "198.51.100.20")
    assert mine.status_code == 302 and browser.get("/drafts").status_code == 200

    elsewhere = new_client(app)  # the owner on a new device: slowed, never locked out
    waiting = post_login(elsewhere, owner.username, "password123", "198.51.100.21")
    assert waiting.status_code == 429 and "giây" in waiting.get_data(as_text=True)
    assert 0 < int(waiting.headers["Retry-After"]) <= throttle.MAX_DELAY.total_seconds()
    later = utcnow() + throttle.MAX_DELAY + timedelta(seconds=1)
    monkeypatch.setattr("app.auth.throttle.utcnow", lambda: later)
    assert post_login(elsewhere, owner.username, "password123", "198.51.100.21").status_code == 302


@pytest.mark.parametrize("failures", [0, 3, 4, 5, 8, 100])
def test_the_delay_grows_and_stops_at_the_cap(failures):
    expected = {0: 0, 3: 0, 4: 2, 5: 4, 8: 32, 100: 60}[failures]
    assert throttle.delay_after(failures) == timedelta(seconds=expected)


def test_unknown_and_existing_accounts_answer_alike(app, make_user):
    known = make_user("citizen")
    answers = {}
    for login in (known.username, "khong-ai-co-ten-nay"):
        client = new_client(app)
        token = csrf_token(client, "/login")
        first = post_login(client, login, "wrong-password", "198.51.100.40", token)
        for _ in range(throttle.FREE_FAILURES + 1):
            last = post_login(client, login, "wrong-password", "198.51.100.40", token)
        answers[login] = (first.status_code, _error(first), last.status_code, last.headers.get("Retry-After"))
    assert answers[known.username] == answers["khong-ai-co-ten-nay"]
    assert answers[known.username][:2] == (400, "Sai tên đăng nhập hoặc mật khẩu")
    assert answers[known.username][2] == 429  # both are slowed down the same way


def _error(response) -> str:
    html = response.get_data(as_text=True)
    return (
        html.split('class="error"', 1)[1].split(">", 1)[1].split("<", 1)[0] if 'class="error"' in html else ""
    )


def test_the_api_shares_the_delay_of_the_account(client, make_user):
    citizen = make_user("citizen")
    for _ in range(throttle.FREE_FAILURES + 1):
        body = {"username": citizen.username, "password": "wrong-password"}
        assert client.post("/api/v1/auth/token", json=body).status_code == 401
    slowed = client.post("/api/v1/auth/token", json={"username": citizen.username, "password": "password123"})
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    assert slowed.json["error"]["details"]["retry_after"] == int(slowed.headers["Retry-After"])


def test_limits_are_kept_in_redis_when_redis_is_configured(app):
    from limits.storage import RedisStorage

    from app.extensions import limiter

    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert isinstance(limiter.storage, RedisStorage) and limiter.storage.check()
