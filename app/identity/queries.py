"""Reads of verified identities."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.identity.models import Identity


def find_identity(user: User | None) -> Identity | None:
    """The verified identity behind an account, or None (a password account, staff). Asked in the
    middle of use cases (a dossier being submitted is pending), so it never flushes."""
    if user is None or getattr(user, "id", None) is None:
        return None
    with db.session.no_autoflush:
        return db.session.scalar(select(Identity).where(Identity.user_id == user.id))
