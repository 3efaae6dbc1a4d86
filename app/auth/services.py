"""Accounts and tokens. Services own the transaction: they commit once."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import second_factor, throttle
from app.auth.citizen_id import citizen_id_problem
from app.auth.models import ApiToken, User
from app.auth.passwords import set_new_password
from app.auth.roles import ROLES, Role, needs_unit
from app.core.db import utcnow
from app.core.errors import AuthenticationError, ConflictError, PermissionDeniedError, ValidationError
from app.extensions import db
from app.org.queries import find_unit_by_code

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")


def _user_problems(fields: dict) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not USERNAME_RE.match(fields.get("username") or ""):
        problems["username"] = "Tên đăng nhập gồm 3-64 ký tự chữ, số hoặc . _ @ -"
    if len(fields.get("password") or "") < 8:
        problems["password"] = "Mật khẩu phải có ít nhất 8 ký tự"  # noqa: S105 (a message, not a password)
    role = fields.get("role")
    if role not in ROLES:
        problems["role"] = f"Vai trò '{role}' không tồn tại; chọn một trong: {', '.join(ROLES)}"
    if role == Role.CITIZEN:
        problem = citizen_id_problem(fields.get("citizen_id") or "")
        if problem:
            problems["citizen_id"] = problem
    if fields.get("email") and not EMAIL_RE.match(fields["email"]):
        problems["email"] = "Địa chỉ email không hợp lệ"
    if fields.get("phone") and not PHONE_RE.match(fields["phone"]):
        problems["phone"] = "Số điện thoại không hợp lệ (vd 0912345678)"
    return problems


def create_user(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str,
    unit_code: str | None = None,
    citizen_id: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
) -> User:
    fields = dict(
        username=username, password=password, role=role, citizen_id=citizen_id, phone=phone, email=email
    )
    problems = _user_problems(fields)
    unit = None
    if unit_code:
        unit = find_unit_by_code(unit_code)
        if unit is None:
            problems["unit"] = f"Không tìm thấy đơn vị có mã '{unit_code}'"
    elif needs_unit(role):
        problems["unit"] = "Cán bộ phải thuộc một đơn vị (--unit MÃ_ĐỊNH_DANH)"
    if problems:
        raise ValidationError("Thông tin tài khoản không hợp lệ", problems)
    same = [User.username == username] + ([User.citizen_id == citizen_id] if citizen_id else [])
    clash = db.session.scalar(select(User).where(or_(*same)))
    if clash is not None:
        field = "username" if clash.username == username else "citizen_id"
        raise ConflictError("Tài khoản đã tồn tại", {field: "đã được dùng cho một tài khoản khác"})
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        unit=unit,
        citizen_id=citizen_id if role == Role.CITIZEN else None,
        phone=phone,
        email=email,
        address=address,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


GENERIC_FAILURE = "Sai tên đăng nhập hoặc mật khẩu"
DEACTIVATED = "Tài khoản này đã bị ngừng kích hoạt. Vui lòng liên hệ quản trị viên hoặc bộ phận một cửa."
# Where the province has no local password accounts for citizens (CITIZEN_PASSWORD_ACCOUNTS off).
USE_ELECTRONIC_ID = "Công dân và tổ chức đăng nhập bằng tài khoản định danh điện tử (VNeID)."
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash made with the configured method, checked for unknown logins so that they take as long
    as a wrong password for an existing account."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


def find_login(login: str) -> User | None:
    """Staff sign in with their username; citizens with their username or citizen ID."""
    login = (login or "").strip()
    return db.session.scalar(select(User).where(or_(User.username == login, User.citizen_id == login)))


def throttle_key(user: User | None, login: str, device: str | None = None) -> str:
    """What a failed password counts against: this browser's own key for an account it signed in to
    before (app.auth.devices), else the account, else the unknown login name itself, so that
    unknown and existing names are slowed down alike."""
    if user is not None:
        return f"device:{device}" if device else f"account:{user.id}"
    return f"login:{(login or '').strip().lower()[:100]}"


def _slow_down(seconds: int) -> str:
    return gettext("Đăng nhập sai nhiều lần. Vui lòng chờ %(seconds)s giây rồi thử lại.", seconds=seconds)


def authenticate(login: str, password: str, address: str = "", device_of=None) -> User:  # noqa: ANN001
    """The account whose password this is, else AuthenticationError with one message for an unknown
    login and a wrong password (and as much work: a dummy hash is checked for unknown logins).

    Failures slow the key (`throttle_key`) down, growing up to throttle.MAX_DELAY; there is no lock-out.
    `device_of(user_id)` gives this browser's device id for an account, if it has one. A deactivated
    account is told so, but only once its password is right."""
    user = find_login(login)
    device = device_of(user.id) if user is not None and device_of is not None else None
    key = throttle_key(user, login, device)
    throttle.check(key, _slow_down)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        matches = False
    else:
        matches = user.check_password(password or "")
    if not matches:
        throttle.record_failure(key, address)
        raise AuthenticationError(GENERIC_FAILURE)
    if not user.is_active_account:
        raise PermissionDeniedError(DEACTIVATED, code="account_deactivated")
    if user.is_citizen and not current_app.config.get("CITIZEN_PASSWORD_ACCOUNTS", True):
        raise PermissionDeniedError(USE_ELECTRONIC_ID, code="password_accounts_off")
    throttle.clear(key)
    return user


def second_factor_key(user: User, device: str | None = None) -> str:
    return f"second-factor:{device}" if device else f"second-factor:{user.id}"


def check_second_factor(
    user: User, code: str, address: str = "", device: str | None = None, *, field: str = "code"
) -> None:
    """Complete a staff sign-in with a TOTP or recovery code; wrong codes slow the account's second
    step down like wrong passwords do."""
    key = second_factor_key(user, device)
    throttle.check(key, _slow_down)
    if not second_factor.verify(user, code):
        throttle.record_failure(key, address)
        raise AuthenticationError(
            "Mã xác thực không đúng hoặc đã được dùng",
            {field: "Nhập mã 6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục"},
        )
    throttle.clear(key)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash(token), expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def find_user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == _hash(token))
    )
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row.user


# --- staff administration (admin pages) ------------------------------------------------------


def update_user(
    user: User,
    *,
    full_name: str,
    role: str,
    unit_code: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    acting_user: User | None = None,
) -> User:
    """Change a staff account's profile, role and unit, and commit. A citizen stays a citizen and staff
    stay staff; an administrator cannot take the admin role away from themselves (no lock-out)."""
    problems: dict[str, str] = {}
    if not (full_name or "").strip():
        problems["full_name"] = "Cần nhập họ và tên"
    if role not in ROLES:
        problems["role"] = f"Vai trò '{role}' không tồn tại; chọn một trong: {', '.join(ROLES)}"
    elif (role == Role.CITIZEN) != user.is_citizen:
        problems["role"] = "Không thể đổi tài khoản công dân thành cán bộ hoặc ngược lại"
    elif acting_user is not None and acting_user.id == user.id and role != user.role:
        problems["role"] = "Bạn không thể tự đổi vai trò của chính mình"
    if email and not EMAIL_RE.match(email):
        problems["email"] = "Địa chỉ email không hợp lệ"
    if phone and not PHONE_RE.match(phone):
        problems["phone"] = "Số điện thoại không hợp lệ (vd 0912345678)"
    unit = find_unit_by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        problems["unit"] = f"Không tìm thấy đơn vị có mã '{unit_code}'"
    elif unit is None and needs_unit(role):
        problems["unit"] = "Cán bộ phải thuộc một đơn vị"
    if problems:
        raise ValidationError("Thông tin tài khoản không hợp lệ", problems)
    user.full_name, user.role, user.phone, user.email = full_name.strip(), role, phone or None, email or None
    if role != Role.CITIZEN:
        user.unit = unit
    db.session.flush()
    return user


def _revoke_tokens(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def set_user_active(user: User, active: bool, *, acting_user: User | None = None) -> User:
    """Deactivate or reactivate an account. A deactivated account cannot sign in, its sessions end
    and its API tokens are revoked (authenticate and find_user_for_token also refuse inactive
    accounts)."""
    if not active and acting_user is not None and acting_user.id == user.id:
        raise ConflictError("Bạn không thể tự ngừng kích hoạt tài khoản của chính mình")
    user.is_active_account = active
    if not active:
        _revoke_tokens(user)
        user.end_sessions()
    db.session.flush()
    return user


def reset_password(user: User, password: str) -> User:
    """Set a new password chosen by an administrator: the account's sessions and API tokens end, its
    reset links stop working and its sign-in failures are forgotten (app.auth.passwords)."""
    set_new_password(user, password)
    return user
