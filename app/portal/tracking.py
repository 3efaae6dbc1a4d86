"""Public tracking: anyone with a dossier's code and the applicant's citizen ID or phone sees its
status, nothing more."""

from __future__ import annotations

import hmac

from flask_babel import gettext
from sqlalchemy import select

from app.auth import throttle
from app.dossiers.models import Dossier
from app.extensions import db


def _normalise_contact(value: str | None) -> str:
    """Digits only, +84 written as 0: "0912 345 678", "+84912345678" and "0912.345.678" are equal."""
    text = (value or "").strip()
    text = "0" + text[3:] if text.startswith("+84") else text
    return "".join(ch for ch in text if ch in "0123456789")


def track_dossier(code: str, identifier: str, address: str) -> Dossier | None:
    """Public tracking: the dossier whose code AND applicant's citizen ID or phone match, else None.

    An unknown code and a wrong ID take the same path (one lookup, both comparisons, one recorded
    failure), so answers and timing do not tell whether a code exists. Wrong guesses on one code slow
    that code's look-ups down (a growing delay of at most a minute, app.auth.throttle), never lock it;
    look-ups per client address are limited by the view (throttle.PUBLIC_LOOKUP_LIMIT).
    """
    code, given = code.strip().upper(), _normalise_contact(identifier)
    code_key = f"track:{code[:40]}"
    throttle.check(code_key, _slow_down)
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    # "-" never equals a normalised input (digits only), so missing data and unknown codes never match
    citizen_id = _normalise_contact(dossier.applicant_citizen_id if dossier else None) or "-"
    phone = _normalise_contact(dossier.applicant_phone if dossier else None) or "-"
    by_id = hmac.compare_digest(citizen_id.encode(), given.encode())
    by_phone = hmac.compare_digest(phone.encode(), given.encode())
    if dossier is not None and given and (by_id or by_phone):
        return dossier
    throttle.record_failure(code_key, address)
    return None


def _slow_down(seconds: int) -> str:
    return gettext(
        "Bạn đã tra cứu sai nhiều lần. Vui lòng chờ %(seconds)s giây rồi thử lại.", seconds=seconds
    )
