"""Throttling that slows guessing down and cannot be turned against the people it protects.

Two mechanisms, each where it works best:

- **Per client address** (Flask-Limiter, `ADDRESS_LIMIT` below): failed sign-ins, second-factor codes,
  password changes, reset links and tracking look-ups from one address are capped per minute and per
  hour. The address is the client's as the trusted proxies saw it (TRUSTED_PROXIES, Werkzeug
  ProxyFix), so one visitor behind the province's reverse proxy never closes sign-in for everyone
  behind it. A refused request answers 429 with Retry-After; successful sign-ins do not count.
- **Per key** (rows in the database, shared by every app server): a key is what is being guessed,
  an account's password, a dossier's tracking pair, etc. After FREE_FAILURES failures within WINDOW
  each further attempt on the key must wait a growing delay (2, 4, 8 … seconds, at most MAX_DELAY)
  after the last failure; an attempt inside the delay is answered 429 without being checked. There is
  no lock-out: the delay never exceeds MAX_DELAY, and a browser that signed in to an account before
  holds a device cookie (app.auth.devices) whose attempts are counted on a key of their own, so an
  attacker's wrong passwords do not slow the owner's browser at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Response, current_app
from flask_babel import gettext as _
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core import uow
from app.core.db import UTCDateTime, utcnow
from app.core.errors import TooManyRequestsError
from app.extensions import db, limiter

FREE_FAILURES = 3  # failures on one key within WINDOW that cost nothing
MAX_DELAY = timedelta(seconds=60)  # the longest a key ever has to wait: slowed down, never locked
WINDOW = timedelta(minutes=15)  # failures older than this are forgotten
MAX_FAILURES = FREE_FAILURES  # failures after which a key has to wait (callers' wording)


class SigninFailure(db.Model):
    """One failed attempt on a key ("account:12", "login:<unknown name>", "device:<id>", "track:<code>"
    ...), with the client address it came from (kept for the administrators, not counted here)."""

    __tablename__ = "signin_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def delay_after(failures: int) -> timedelta:
    """How long the next attempt waits after the last of `failures` failures."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_FAILURES, 16)), MAX_DELAY)


def wait_seconds(key: str) -> int:
    """Whole seconds `key` must still wait before its next attempt is checked (0: go ahead)."""
    now = utcnow()
    count, last = db.session.execute(
        select(func.count(), func.max(SigninFailure.created_at)).where(
            SigninFailure.key == key[:120], SigninFailure.created_at > now - WINDOW
        )
    ).one()
    if not count or last is None:
        return 0
    if last.tzinfo is None:  # SQLite hands back naive UTC from an aggregate
        last = last.replace(tzinfo=now.tzinfo)
    remaining = (last + delay_after(count) - now).total_seconds()
    return max(math.ceil(remaining), 0)


class SlowDown(TooManyRequestsError):
    """A key must wait: 429, and Retry-After says for how long."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message, {"retry_after": seconds})
        self.seconds = seconds


def check(key: str, message: Callable[[int], str] | None = None) -> None:
    """Raise SlowDown while `key` must wait; `message(seconds)` words it for the caller."""
    seconds = wait_seconds(key)
    if seconds:
        text = (
            message(seconds) if message else _("Vui lòng chờ %(seconds)s giây rồi thử lại.", seconds=seconds)
        )
        raise SlowDown(text, seconds)


def record_failure(key: str, address: str = "") -> None:
    """Count a failed attempt on `key`. It stands even though the request that made it answers with
    an error; failures older than WINDOW are cleared on the way."""

    def write() -> None:
        db.session.add(SigninFailure(key=key[:120], address=(address or "")[:64]))
        db.session.execute(delete(SigninFailure).where(SigninFailure.created_at < utcnow() - WINDOW))

    uow.even_on_failure(write)


def clear(key: str) -> None:
    """Forget the failures of `key` (its owner got through)."""
    db.session.execute(delete(SigninFailure).where(SigninFailure.key == key[:120]))


def is_locked(*keys: str) -> bool:
    """Whether any of `keys` must wait before its next attempt (see `check`)."""
    return any(wait_seconds(key) for key in keys if key)


# --- per client address (Flask-Limiter) -----------------------------------------------------------


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _signin_limit() -> str:
    return current_app.config["SIGNIN_ADDRESS_LIMIT"]


def _public_limit() -> str:
    return current_app.config["PUBLIC_LOOKUP_LIMIT"]


def _address_message() -> str:
    return _("Có quá nhiều lần thử không thành công từ địa chỉ mạng của bạn. Vui lòng thử lại sau ít phút.")


# Failed attempts to prove who one is (password, second-factor code, reset link), from one address,
# counted together across the sign-in pages and the API.
ADDRESS_LIMIT = limiter.shared_limit(
    _signin_limit, scope="signin", methods=["POST"], deduct_when=_failed, error_message=_address_message
)
# Requests that send e-mail or create accounts: every POST counts, whatever its answer.
ACCOUNT_REQUEST_LIMIT = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_REQUEST_LIMIT"],
    scope="account-request",
    methods=["POST"],
    error_message=_address_message,
)
# Public look-ups anyone may make (tracking a dossier): every look-up counts (wrong guesses on one
# dossier code also slow that code down, through its key).
PUBLIC_LOOKUP_LIMIT = limiter.shared_limit(
    _public_limit, scope="public-lookup", methods=["POST"], error_message=_address_message
)
