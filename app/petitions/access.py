"""Access without an account.

- **Follow-up key.** A petition filed without signing in gets a random key, shown once; only its
  SHA-256 is stored. Code and key together open the petitioner's view (the answer, public or
  private, and the rating) in that browser session (`grant`); failed tries slow further tries on
  that code down, like public tracking.
- **Dossier ticket.** The public tracking page, shown only to someone who gave a dossier's code and
  its applicant's CCCD or phone, links to the petition form with a signed ticket naming the dossier
  (valid TICKET_SECONDS), so the form need not ask for them again and nobody else can name that
  dossier without them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.auth import throttle
from app.core.errors import TooManyRequestsError
from app.extensions import db
from app.petitions.models import Petition

KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
KEY_LENGTH = 12
TICKET_SECONDS = 3600
SESSION_KEY = "petitions_granted"
SESSION_MAX = 20  # petitions a browser session remembers
_TICKET_SALT = "petition-dossier-ticket"


def new_key() -> str:
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, KEY_LENGTH, 4))


def normalise_key(key: str) -> str:
    return "".join(ch for ch in (key or "").upper() if ch in KEY_ALPHABET)


def hash_key(key: str) -> str:
    return hashlib.sha256(normalise_key(key).encode()).hexdigest()


def key_matches(petition: Petition | None, key: str) -> bool:
    stored = petition.access_key_hash if petition is not None else None
    expected = stored or "-"  # never equal to a hex digest: a petition without a key never opens
    return hmac.compare_digest(expected.encode(), hash_key(key).encode()) and stored is not None


def open_with_key(code: str, key: str, address: str) -> Petition | None:
    """The anonymous petition whose code AND follow-up key match, granted to this session; else None.
    An unknown code and a wrong key take the same path; failures on a code slow its next tries down
    (app.auth.throttle: 429 while it must wait); the view limits tries per client address."""
    code = (code or "").strip().upper()[:20]
    throttle_key = f"petition:{code}"
    if throttle.is_locked(throttle_key):
        raise TooManyRequestsError("Bạn đã nhập sai nhiều lần. Vui lòng chờ một lát rồi thử lại.")
    petition = db.session.scalar(select(Petition).where(Petition.code == code)) if code else None
    if key_matches(petition, key) and petition is not None:
        grant(petition)
        return petition
    throttle.record_failure(throttle_key, address)
    return None


# --- this browser session's petitions -------------------------------------------------------------


def grant(petition: Petition) -> None:
    granted = [i for i in session.get(SESSION_KEY, []) if i != petition.id]
    session[SESSION_KEY] = [*granted, petition.id][-SESSION_MAX:]


def is_granted(petition: Petition) -> bool:
    return petition.is_anonymous and petition.id in session.get(SESSION_KEY, [])


# --- dossier tickets -------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TICKET_SALT)


def dossier_ticket(dossier_id: int) -> str:
    return _serializer().dumps(dossier_id)


def read_ticket(ticket: str) -> int | None:
    """The dossier id of a valid, unexpired ticket; None otherwise."""
    try:
        value = _serializer().loads(ticket, max_age=TICKET_SECONDS)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
