"""Accounts from verified identities: the first sign-in creates the account, later ones update it.

One unit of work each (the caller's). The ID number is never typed: it comes from the provider's
signed claims. A password account that claims the same personal ID number (registered with a
self-typed CCCD, possibly by someone else) is taken over by the verified person: it keeps its
dossiers, its name and contacts become the verified ones, its password stops working and its API
tokens are revoked, so whoever registered it cannot sign in with it any more.
"""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from sqlalchemy import delete, select

from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.core.db import utcnow
from app.extensions import db
from app.identity.claims import VerifiedIdentity
from app.identity.models import Identity
from app.identity.oidc import SignInError

log = logging.getLogger(__name__)

UNUSABLE_PASSWORD_PREFIX = "!"  # noqa: S105 (not a hash werkzeug can match: no password signs in)


def unusable_password_hash() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16)


def sign_in_verified(verified: VerifiedIdentity) -> User:
    """The account of a verified identity, created or brought up to date; flushes, never commits."""
    if verified.assurance_level < int(current_app.config.get("OIDC_MIN_ASSURANCE", 2)):
        raise SignInError("assurance", f"level {verified.assurance_level}")
    identity = db.session.scalar(
        select(Identity).where(Identity.issuer == verified.issuer, Identity.subject == verified.subject)
    )
    if identity is None:
        identity = _first_sign_in(verified)
    user = identity.user
    if not user.is_active:
        raise SignInError("inactive", f"account {user.id} is deactivated")
    _update(identity, verified)
    db.session.flush()
    return user


def _first_sign_in(verified: VerifiedIdentity) -> Identity:
    user = _existing_account(verified)
    if user is None:
        user = User(
            username=_free_username(verified),
            password_hash=unusable_password_hash(),
            role=Role.CITIZEN,
            full_name=verified.full_name,
        )
        db.session.add(user)
    else:
        _take_over(user)
    identity = Identity(user=user, issuer=verified.issuer, subject=verified.subject, kind=verified.kind)
    if verified.personal_id:
        stale = db.session.scalar(select(Identity).where(Identity.personal_id == verified.personal_id))
        if stale is not None:  # the provider gave the same person a new subject: one identity per person
            db.session.delete(stale)
            db.session.flush()
    if verified.tax_code:
        stale = db.session.scalar(select(Identity).where(Identity.tax_code == verified.tax_code))
        if stale is not None:
            db.session.delete(stale)
            db.session.flush()
    db.session.add(identity)
    return identity


def _existing_account(verified: VerifiedIdentity) -> User | None:
    """An account already holding this person's ID number (or the organisation's from an earlier
    identity): a password account, or one whose identity the provider now names differently."""
    if verified.personal_id:
        user = db.session.scalar(select(User).where(User.citizen_id == verified.personal_id))
        if user is not None and not user.is_staff:
            return user
    if verified.tax_code:
        identity = db.session.scalar(select(Identity).where(Identity.tax_code == verified.tax_code))
        if identity is not None:
            return identity.user
    return None


def _take_over(user: User) -> None:
    """The verified person now owns the account; what let anyone else in stops working."""
    if not user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
        log.info("account %s taken over by its verified owner; its password no longer works", user.id)
    user.password_hash = unusable_password_hash()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    user.end_sessions()


def _free_username(verified: VerifiedIdentity) -> str:
    base = verified.personal_id or f"mst-{verified.tax_code}"
    candidate = base
    while db.session.scalar(select(User.id).where(User.username == candidate)) is not None:
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


def _update(identity: Identity, verified: VerifiedIdentity) -> None:
    user = identity.user
    identity.kind = verified.kind
    identity.personal_id = verified.personal_id
    identity.birth_date = verified.birth_date
    identity.tax_code = verified.tax_code
    identity.representative_name = verified.representative_name
    identity.representative_personal_id = verified.representative_personal_id
    identity.assurance_level = verified.assurance_level
    identity.verified_at = utcnow()
    user.full_name = verified.full_name
    user.citizen_id = verified.personal_id
    if verified.phone:
        user.phone = verified.phone
    if verified.email:
        user.email = verified.email
