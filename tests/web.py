"""Helpers for page tests: forms carry CSRF tokens, as a browser would send them; staff complete the
second factor with a code made from their account's TOTP secret, as their authenticator app would."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pyotp
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import or_, select

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
SECOND_FACTOR_PATH = "/login/second-factor"


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def totp_code(login: str) -> str:
    """A code the app accepts now for the account `login`: made from its TOTP secret for the earliest
    time step the app still takes (one step of drift either side, and only steps after the last one
    it accepted, as RFC 6238 wants); waits for the next step in the rare case all three are spent."""
    from app.auth.models import User
    from app.extensions import db

    query = select(User).where(or_(User.username == login, User.citizen_id == login))
    user = db.session.scalar(query.execution_options(populate_existing=True))
    assert user is not None and user.totp_secret, f"{login} has no second factor"
    totp = pyotp.TOTP(user.totp_secret)
    while True:
        now = time.time()
        step = totp.timecode(now)
        safe_previous = now % totp.interval < totp.interval - 2  # still the step after next request
        candidates = ([step - 1] if safe_previous else []) + [step, step + 1]
        usable = [s for s in candidates if user.totp_last_step is None or s > user.totp_last_step]
        if usable:
            return totp.generate_otp(usable[0])
        time.sleep(totp.interval - now % totp.interval + 0.05)


def sign_in(client, login: str, password: str = "demo12345"):  # noqa: S107 (demo fixture password)
    """Sign in through the pages; a staff account's second step gets a code of its authenticator.
    Returns the last answer (302 to the start page when both steps went through)."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    if response.status_code == 302 and urlsplit(response.headers["Location"]).path == SECOND_FACTOR_PATH:
        code = totp_code(login)
        response = client.post(SECOND_FACTOR_PATH, data={"code": code, "csrf_token": token})
    return response


def browser_sign_in(page, login: str, password: str = "demo12345"):  # noqa: S107 (demo accounts)
    """Sign in through the real pages in a browser (Playwright), by keyboard; a staff account types
    the code of its authenticator app in the second step."""
    page.goto("/login")
    page.get_by_label("Số CCCD hoặc tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    if urlsplit(page.url).path == SECOND_FACTOR_PATH:
        page.get_by_label("Mã xác thực").fill(totp_code(login))
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
    return page


class OwnTokenClient(FlaskClient):
    """Requests of a test share the test's app context, so `g` too: Flask-WTF caches the CSRF token
    there, Flask-Login the signed-in user. Each client drops both first, so every request gets the
    token of its own session and the user its own session names."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        g.pop("csrf_token", None)
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def signed_in_client(app, login: str, password: str = "demo12345") -> OwnTokenClient:  # noqa: S107
    """A test client of its own, signed in as `login` (a demo account unless a password is given)."""
    client = OwnTokenClient(app, app.response_class, use_cookies=True)
    assert sign_in(client, login, password).status_code == 302
    return client
