"""Helpers for page tests: forms carry CSRF tokens, as a browser would send them."""

from __future__ import annotations

import re

from flask import g
from flask.testing import FlaskClient

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def sign_in(client, login: str, password: str = "demo12345"):  # noqa: S107 (demo fixture password)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


class OwnTokenClient(FlaskClient):
    """Requests of a test share the test's app context, so `g` too: Flask-WTF caches the CSRF token
    there. Each client drops it first, so every account gets the token of its own session."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def signed_in_client(app, login: str, password: str = "demo12345") -> OwnTokenClient:  # noqa: S107
    """A test client of its own, signed in as `login` (a demo account unless a password is given)."""
    client = OwnTokenClient(app, app.response_class, use_cookies=True)
    assert sign_in(client, login, password).status_code == 302
    return client
