"""Helpers of the sign-in tests: a browser-like client, a client behind the trusted proxy, the
mailbox of the session's SMTP server, jobs run in this process."""

from __future__ import annotations

import re

import pytest

from tests.notifications.support import Mailbox
from tests.web import OwnTokenClient, csrf_token

LINK_RE = re.compile(r"https?://\S+")


def new_client(app) -> OwnTokenClient:
    return OwnTokenClient(app, app.response_class, use_cookies=True)


def post_login(client, login: str, password: str, address: str | None = None, token: str | None = None):
    """One sign-in attempt; `address`: the client address the trusted proxy forwards."""
    headers = {"X-Forwarded-For": address} if address else {}
    data = {"login": login, "password": password, "csrf_token": token or csrf_token(client, "/login")}
    return client.post("/login", data=data, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})


@pytest.fixture
def jobs_here(app, monkeypatch):
    """Jobs run in this process right after the request's commit (the embedded default's way), so
    the e-mails they send reach the SMTP server before the test reads it."""
    monkeypatch.delitem(app.extensions, "redis")


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return Mailbox(smtp_server)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK_RE.search(body)
    assert match, body
    return match.group(0)


def finish_sign_up(page, mailbox: Mailbox, email: str) -> None:
    """In a browser, after "Đăng ký" was pressed on a filled sign-up form: the page asks to check the
    mail, the e-mail's link opens the confirmation, and its button creates the account and signs in."""
    from urllib.parse import urlsplit

    page.get_by_role("heading", name="Kiểm tra thư điện tử").wait_for()
    link = link_in(mailbox.wait_for(email)[-1])
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(lambda url: "/register" not in url)
