"""Users (citizens and staff) and API tokens."""

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

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

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
