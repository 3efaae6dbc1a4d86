"""Sign-in throttling, shared by every app server (rows in the database, not process memory).

After MAX_FAILURES failed attempts for one login name, or MAX_FAILURES_PER_ADDRESS from one address,
within WINDOW, further attempts are refused until the window has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core import uow
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

MAX_FAILURES = 5  # per login name
MAX_FAILURES_PER_ADDRESS = 20  # per client address (offices share one address behind NAT)
WINDOW = timedelta(minutes=15)


class LoginFailure(db.Model):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def is_locked(login: str, address: str) -> bool:
    since = utcnow() - WINDOW

    def failures(condition) -> int:  # noqa: ANN001
        query = (
            select(func.count()).select_from(LoginFailure).where(LoginFailure.created_at > since, condition)
        )
        return db.session.scalar(query) or 0

    return (
        failures(LoginFailure.login == login) >= MAX_FAILURES
        or failures(LoginFailure.address == address) >= MAX_FAILURES_PER_ADDRESS
    )


def record_failure(login: str, address: str) -> None:
    """Count a failed attempt. It stands even though the request that made it answers with an error."""

    def write() -> None:
        db.session.add(LoginFailure(login=login[:64], address=address[:64]))
        db.session.execute(delete(LoginFailure).where(LoginFailure.created_at < utcnow() - WINDOW))

    uow.even_on_failure(write)


def clear_failures(login: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.login == login))
