"""The staff second factor: TOTP codes (RFC 6238, any authenticator app) and recovery codes.

- Enrolment: a new secret is shown as a QR code (and as text); the account is enrolled once a code
  made from it is entered, and gets RECOVERY_CODES single-use recovery codes, shown once.
- A code is accepted for the current 30-second step and one step either side (clock drift), and
  never twice: the step it was accepted for is kept, and only later steps count after it.
- A recovery code (stored as sha256 only) replaces one TOTP code, once.
- An administrator's reset removes the secret and the recovery codes and ends the account's
  sessions; the next sign-in enrols again.

Services add and flush; the request's unit of work commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from app.auth.models import ApiToken, RecoveryCode, User
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.extensions import db

DRIFT_STEPS = 1  # steps accepted either side of the current one
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_GROUPS = 4  # xxxx-xxxx-xxxx-xxxx: 80 bits
TOTP_RE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("TOTP_ISSUER") or "Một cửa"
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The otpauth:// address as an SVG QR code (a data: URI for an <img>)."""
    return segno.make(uri, error="m").svg_data_uri(border=2, dark="#000")


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").strip().lower())


def _accepted_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step `code` is valid for (now ± DRIFT_STEPS, later than `after`), if any."""
    if not TOTP_RE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            return step
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    chars = [secrets.choice(RECOVERY_ALPHABET) for _ in range(4 * RECOVERY_GROUPS)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, len(chars), 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with fresh ones; returns them (shown once, never again)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    db.session.flush()
    return codes


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on with `secret` once `code` proves the authenticator has it; returns
    the new recovery codes."""
    step = _accepted_step(secret, _clean(code), None) if secret else None
    if step is None:
        raise ValidationError(
            "Mã xác thực không đúng",
            {"code": "Mã gồm 6 chữ số trong ứng dụng xác thực; kiểm tra giờ của điện thoại rồi nhập mã mới"},
        )
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    db.session.flush()
    return new_recovery_codes(user)


def verify(user: User, code: str) -> bool:
    """Whether `code` (a TOTP code or an unused recovery code) completes this account's sign-in. An
    accepted code is spent."""
    if user.totp_secret is None:
        return False
    cleaned = _clean(code)
    step = _accepted_step(user.totp_secret, cleaned, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.flush()
        return True
    if TOTP_RE.match(cleaned) or len(cleaned) != 4 * RECOVERY_GROUPS:
        return False
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def recovery_codes_left(user: User) -> int:
    rows = db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return len(rows.all())


def reset(user: User) -> None:
    """An administrator's reset (a lost phone): the second factor is removed, the account's sessions
    and API tokens end, and its next sign-in enrols a new authenticator."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    user.end_sessions()
    db.session.flush()
