"""Device cookies: a browser that has signed in to an account is recognised the next time.

After a successful sign-in (or a completed password reset) the browser gets a signed cookie naming
the account and a random device id. Sign-in attempts from that browser for that account are throttled
on the key "device:<id>" instead of the account's shared key, so failures made by anyone else (an
attacker guessing the owner's password from anywhere) never slow the owner's own browser down. The
cookie proves nothing by itself: the password (and the staff second factor) is still checked.
"""

from __future__ import annotations

import secrets

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "signin_device"
MAX_ACCOUNTS = 5  # accounts remembered per browser (a shared family computer, a counter PC)
MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="signin-device")


def _entries(request: Request) -> list[list]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, list) and len(e) == 2 and isinstance(e[0], int)][:MAX_ACCOUNTS]


def device_of(request: Request, user_id: int) -> str | None:
    """This browser's device id for the account, if it signed in to it before."""
    return next((str(device) for uid, device in _entries(request) if uid == user_id), None)


def remember(request: Request, response: Response, user_id: int) -> None:
    """Give (or keep) this browser a device id for the account."""
    entries = _entries(request)
    device = device_of(request, user_id) or secrets.token_urlsafe(16)
    entries = [[user_id, device]] + [e for e in entries if e[0] != user_id]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(entries[:MAX_ACCOUNTS]),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
