"""Changing a password, and resetting a forgotten one through a link sent by e-mail.

A reset link is `/password/reset/<id>-<mac>`: the row's id and an HMAC-SHA256, under SECRET_KEY, of
the row's random nonce. The database keeps the nonce (useless without the key), the job queue only
the row's id, so a copy of either holds no working link. A link works once and until it expires
(PASSWORD_RESET_MINUTES): a new password, by link or otherwise, deletes every link of the account
and ends its sessions.

Asking for a link answers the same whether the account exists, has an e-mail address or not, and
takes the same time (the request only enqueues a job that looks the account up), so the page cannot
be used to find out who has an account. At most RESETS_PER_HOUR links are sent to one
account per hour (no mail bombing through the form).

Services add and flush; the request's unit of work commits; the e-mail goes by job after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, func, or_, select

from app.auth import throttle
from app.auth.models import ApiToken, PasswordReset, User
from app.core.db import utcnow
from app.core.errors import AuthenticationError, ValidationError
from app.core.mail import email_channel
from app.extensions import db
from app.jobs import QUICK, enqueue, job

log = logging.getLogger(__name__)

MIN_LENGTH = 8
RESET = "password-reset"  # the purpose the links' HMAC is made for
RESETS_PER_HOUR = 3


def password_problem(password: str | None) -> str | None:
    if len(password or "") < MIN_LENGTH:
        return "Mật khẩu phải có ít nhất 8 ký tự"
    return None


def _check_new(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationError("Mật khẩu không hợp lệ", {"password": problem})


def _mac(purpose: str, row_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).hexdigest()


def link_token(purpose: str, row_id: int, nonce: str) -> str:
    """The token of an e-mailed link: the row's id and an HMAC of its nonce under SECRET_KEY."""
    return f"{row_id}-{_mac(purpose, row_id, nonce)}"


def token_row_id(purpose: str, token: str, nonce_of) -> int | None:  # noqa: ANN001
    """The row id a link's token names if its HMAC is right (`nonce_of(id)` reads the row's nonce)."""
    ident, _, mac = (token or "").partition("-")
    if not ident.isdigit() or len(ident) > 12 or len(mac) != 64:
        return None
    nonce = nonce_of(int(ident))
    if nonce is None or not hmac.compare_digest(_mac(purpose, int(ident), nonce), mac):
        return None
    return int(ident)


def set_new_password(user: User, password: str) -> None:
    """A new password: every session and API token of the account ends, outstanding reset links stop
    working, and the failures counted against the account are forgotten."""
    _check_new(password)
    user.set_password(password)
    user.end_sessions()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    throttle.clear(f"account:{user.id}")
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user's own change: the current password first."""
    if not user.check_password(current or ""):
        raise AuthenticationError("Mật khẩu hiện tại không đúng", {"current": "Mật khẩu hiện tại không đúng"})
    set_new_password(user, new)


def find_account(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    return db.session.scalar(select(User).where(or_(User.username == login, User.citizen_id == login)))


def request_reset(login: str) -> None:
    """Ask for a reset link for `login`. The request itself only enqueues a job, the same for any
    name, so neither its answer nor its time says whether the account exists; the job looks it up."""
    enqueue(prepare_reset, (login or "").strip()[:64])


@job(queue=QUICK, timeout=60, retry=(10, 60, 300))
def prepare_reset(login: str) -> None:
    """Write a reset link for the account, if there is such an active account with an e-mail address
    and it has not had RESETS_PER_HOUR links in the last hour, and send it (another job)."""
    user = find_account(login)
    if user is None or not user.email or not user.is_active_account:
        return
    recent = db.session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > utcnow() - timedelta(hours=1))
    )
    if recent >= RESETS_PER_HOUR:
        log.info("password reset for user %s not sent: %s links in the last hour", user.id, recent)
        return
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    expires_at = utcnow() + timedelta(minutes=minutes)
    reset = PasswordReset(user_id=user.id, nonce=secrets.token_hex(32), expires_at=expires_at)
    db.session.add(reset)
    db.session.flush()
    enqueue(send_reset_email, reset.id, job_id=f"password-reset-{reset.id}")


def find_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset a link's token names, else None."""
    row_id = token_row_id(RESET, token, lambda i: getattr(db.session.get(PasswordReset, i), "nonce", None))
    reset = db.session.get(PasswordReset, row_id) if row_id is not None else None
    if reset is None or reset.expires_at <= utcnow() or not reset.user.is_active_account:
        return None
    return reset


def complete_reset(token: str, password: str) -> User:
    """Set the new password through a reset link (which then stops working)."""
    reset = find_reset(token)
    if reset is None:
        raise ValidationError(
            "Liên kết đặt lại mật khẩu không còn hiệu lực",
            {"token": "Liên kết đã được dùng, đã hết hạn hoặc không đúng; hãy yêu cầu liên kết mới"},
        )
    user = reset.user
    set_new_password(user, password)  # also deletes this link's row: it cannot be used again
    return user


def _reset_email(reset: PasswordReset) -> tuple[str, str]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context():
        path = url_for("auth_pages.reset_password", token=link_token(RESET, reset.id, reset.nonce))
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    subject = "Đặt lại mật khẩu - Cổng dịch vụ công tỉnh An Giang"
    body = (
        f"Xin chào {reset.user.full_name},\n\n"
        "Có yêu cầu đặt lại mật khẩu cho tài khoản của bạn. Mở liên kết sau để đặt mật khẩu mới "
        f"(dùng được một lần, trong {minutes} phút):\n\n{base}{path}\n\n"
        "Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu của bạn không thay đổi.\n\n"
        f"Tên đăng nhập: {reset.user.username}\n"
    )
    return subject, body


@job(queue=QUICK, timeout=60, retry=(10, 60, 300))
def send_reset_email(reset_id: int) -> None:
    """Send one reset link (a link already used or expired is not sent)."""
    reset = db.session.get(PasswordReset, reset_id)
    if reset is None or reset.expires_at <= utcnow() or not reset.user.email:
        return
    subject, body = _reset_email(reset)
    email_channel(current_app.config).send(reset.user.email, subject, body)
    log.info("password reset link %s sent to user %s", reset_id, reset.user_id)
