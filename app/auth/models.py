"""Users (citizens and staff), API tokens, the staff second factor's recovery codes and password
reset links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.roles import ROLES, STAFF, Role
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.org.models import Unit

STAFF_ROLES = tuple(r for r in Role if r in STAFF)  # kept for the forms that list them


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role_known"),
        CheckConstraint("role = 'citizen' OR role = 'admin' OR unit_id IS NOT NULL", name="staff_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(255))
    citizen_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every session's id (get_id): raising it ends every session of the account (sign-out,
    # password change or reset, deactivation, a reset second factor).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Staff second factor (TOTP, RFC 6238): the base32 secret once enrolled, and the last time step
    # a code was accepted for (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:  # Flask-Login: what the session keeps; the loader checks the version
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every session signed in before now stops working (the loader refuses its old version)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def needs_second_factor(self) -> bool:
        """Staff accounts sign in with a password and a TOTP code."""
        return self.is_staff

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def has_role(self, roles: Iterable[str]) -> bool:
        """One of `roles` (a group of app.auth.roles)."""
        return self.role in roles

    def set_password(self, password: str) -> None:
        """Hashed with PASSWORD_HASH_METHOD (werkzeug's scrypt by default; the tests use a cheap one)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    """Bearer token; only its sha256 is stored, so a database leak does not leak sessions."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its sha256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(db.Model):
    """A password reset link sent by e-mail. The link carries the row's id and an HMAC of its nonce
    (app.auth.passwords), so neither the database nor the job queue holds a usable link. It works
    until `expires_at`, and once: a new password deletes every row of the account."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PendingSignup(db.Model):
    """A citizen's sign-up waiting for its e-mail link to be opened (app.auth.signup). The account is
    created only then, so the sign-up page answers the same whether the citizen ID has an account."""

    __tablename__ = "pending_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    citizen_id: Mapped[str] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
