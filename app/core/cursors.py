"""Keyset pagination cursors: the (sort key, id) of the last row of a page, as an opaque URL-safe
string that the next request hands back as `after`."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from app.core.errors import ValidationError

INVALID = "Con trỏ trang không hợp lệ"


@dataclass(frozen=True)
class Cursor:
    sort_key: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    raw = f"{cursor.sort_key.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The opaque `after` string back to (sort key, id); ValidationError naming `after` if malformed."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return Cursor(moment, int(ident))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValidationError(INVALID, {"after": [INVALID]}) from exc
