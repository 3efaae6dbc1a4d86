"""Declarative base with a naming convention, and column types shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes, stored as UTC on every backend (SQLite has no time zones).

    Naive datetimes are rejected: every instant in this system must say where it is.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# The demo history (app/demo/history.py) is written through the real services at past instants: it
# sets this clock for its own context. Nothing else sets it; unset, now is the system clock.
_simulated_now: ContextVar[Callable[[], datetime] | None] = ContextVar("simulated_now", default=None)


def utcnow() -> datetime:
    """Now, timezone-aware UTC: the system clock, or the demo history's clock while it runs."""
    simulated = _simulated_now.get()
    return datetime.now(UTC) if simulated is None else simulated()


@contextmanager
def simulated_clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Within the block (this context only), `utcnow()` is `now()`: for writing a past history
    through the same services that write the present. Not for requests."""
    token = _simulated_now.set(now)
    try:
        yield
    finally:
        _simulated_now.reset(token)
