"""Citizen sign-up with a password, confirmed through a link sent by e-mail.

The sign-up page answers every valid form the same way ("open the link we sent"), whether the citizen
ID already has an account or not, and does the same work either way (one row, one job): the job then
sends the link only when the ID is still free. Otherwise it writes to the existing account's own
address, if it has one, that someone tried to sign up with its ID, and never to the address typed in
the form. The account is created when the link is opened (within SIGNUP_LINK_HOURS), if the ID is
still free then; that signs the citizen in.

Services add and flush; the request's unit of work commits; e-mails go by job after commit.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, select

from app.auth.models import PendingSignup, User
from app.auth.passwords import link_token, token_row_id
from app.auth.roles import Role
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.mail import email_channel
from app.extensions import db
from app.jobs import QUICK, enqueue, job

log = logging.getLogger(__name__)

SIGNUP = "signup"  # the purpose the links' HMAC is made for


def _hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    return generate_password_hash(password, method=method)


def start_signup(*, citizen_id: str, full_name: str, phone: str, email: str, password: str) -> None:
    """Write the pending sign-up and ask for its e-mail; the same whatever the citizen ID."""
    hours = int(current_app.config["SIGNUP_LINK_HOURS"])
    db.session.execute(delete(PendingSignup).where(PendingSignup.expires_at < utcnow()))
    pending = PendingSignup(
        nonce=secrets.token_hex(32),
        citizen_id=citizen_id,
        full_name=full_name,
        phone=phone,
        email=email,
        password_hash=_hash(password),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(pending)
    db.session.flush()
    enqueue(send_signup_email, pending.id, job_id=f"signup-{pending.id}")


def _taken(citizen_id: str) -> User | None:
    return db.session.scalar(
        select(User).where((User.citizen_id == citizen_id) | (User.username == citizen_id))
    )


def find_pending(token: str) -> PendingSignup | None:
    """The unexpired pending sign-up a link's token names, else None."""
    row_id = token_row_id(SIGNUP, token, lambda i: getattr(db.session.get(PendingSignup, i), "nonce", None))
    pending = db.session.get(PendingSignup, row_id) if row_id is not None else None
    if pending is None or pending.expires_at <= utcnow():
        return None
    return pending


def confirm_signup(token: str) -> User:
    """Create the citizen's account from an opened link (which then stops working)."""
    pending = find_pending(token)
    if pending is None:
        raise ValidationError(
            "Liên kết đăng ký không còn hiệu lực",
            {"token": "Liên kết đã được dùng, đã hết hạn hoặc không đúng; hãy đăng ký lại"},
        )
    if _taken(pending.citizen_id) is not None:
        db.session.delete(pending)
        raise ValidationError(
            "Số CCCD này đã có tài khoản",
            {"token": "Hãy đăng nhập, hoặc dùng “Quên mật khẩu” nếu không nhớ mật khẩu"},
        )
    user = User(
        username=pending.citizen_id,
        role=Role.CITIZEN,
        full_name=pending.full_name,
        citizen_id=pending.citizen_id,
        phone=pending.phone,
        email=pending.email,
        password_hash=pending.password_hash,
    )
    db.session.add(user)
    db.session.execute(delete(PendingSignup).where(PendingSignup.citizen_id == pending.citizen_id))
    db.session.flush()
    return user


def _link(pending: PendingSignup) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context():
        path = url_for("auth_pages.confirm_signup", token=link_token(SIGNUP, pending.id, pending.nonce))
    return base + path


@job(queue=QUICK, timeout=60, retry=(10, 60, 300))
def send_signup_email(pending_id: int) -> None:
    """The link to finish a sign-up, or, when the ID already has an account, a word to that account."""
    pending = db.session.get(PendingSignup, pending_id)
    if pending is None or pending.expires_at <= utcnow():
        return
    channel = email_channel(current_app.config)
    existing = _taken(pending.citizen_id)
    if existing is None:
        hours = int(current_app.config["SIGNUP_LINK_HOURS"])
        body = (
            f"Xin chào {pending.full_name},\n\n"
            "Để hoàn tất đăng ký tài khoản trên Cổng dịch vụ công tỉnh An Giang, mở liên kết sau "
            f"(dùng được một lần, trong {hours} giờ):\n\n{_link(pending)}\n\n"
            "Nếu bạn không đăng ký, hãy bỏ qua thư này.\n"
        )
        channel.send(pending.email, "Hoàn tất đăng ký tài khoản - Cổng dịch vụ công tỉnh An Giang", body)
        log.info("sign-up link %s sent", pending_id)
        return
    db.session.delete(pending)
    if existing.email:
        body = (
            f"Xin chào {existing.full_name},\n\n"
            "Vừa có người đăng ký tài khoản mới bằng số định danh cá nhân của bạn. Tài khoản của bạn "
            "không thay đổi. Nếu đó là bạn, hãy đăng nhập, hoặc dùng “Quên mật khẩu” nếu không nhớ "
            "mật khẩu.\n"
        )
        channel.send(existing.email, "Có người đăng ký bằng số CCCD của bạn - Cổng dịch vụ công", body)
    log.info("sign-up %s: the citizen ID already has an account; no link sent", pending_id)
