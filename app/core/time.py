"""Local-time helpers: instants are stored in UTC and shown in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    return value.astimezone(VN_TZ)


def local_iso(value: datetime | None) -> str | None:
    return None if value is None else to_local(value).isoformat()


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601; a value without offset is read as Vietnam local time."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value
