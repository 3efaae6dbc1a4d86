"""Reads of authorisations: the one that lets a representative act now, and the lists each side
sees. An authorisation is valid while not revoked, from `valid_from` until `expires_at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError
from app.extensions import db
from app.representation.models import ALL, Authorisation, AuthorisedProcedure


def _valid(now: datetime) -> ColumnElement[bool]:
    return and_(
        Authorisation.revoked_at.is_(None), Authorisation.valid_from <= now, Authorisation.expires_at > now
    )


def _covers(procedure_code: Any) -> ColumnElement[bool]:
    return or_(
        Authorisation.scope == ALL,
        exists(
            select(AuthorisedProcedure.id).where(
                AuthorisedProcedure.authorisation_id == Authorisation.id,
                AuthorisedProcedure.procedure_code == procedure_code,
            )
        ),
    )


def find_valid_authorisation(
    representative_id: int, principal_id: int | None, procedure_code: str, now: datetime | None = None
) -> Authorisation | None:
    """The authorisation letting `representative_id` act for `principal_id` on `procedure_code` now
    (the one lasting longest, if several), or None. Asked by the engine in the middle of a change,
    so it never flushes."""
    if principal_id is None or principal_id == representative_id:
        return None
    query = (
        select(Authorisation)
        .where(
            Authorisation.representative_id == representative_id,
            Authorisation.principal_id == principal_id,
            _valid(now or utcnow()),
            _covers(procedure_code),
        )
        .order_by(Authorisation.expires_at.desc(), Authorisation.id.desc())
        .limit(1)
    )
    with db.session.no_autoflush:
        return db.session.scalar(query)


def represented_clause(representative_id: int, principal: Any, procedure_code: Any) -> ColumnElement[bool]:
    """SQL: `representative_id` may act now for the account in column `principal` on the procedure
    in column `procedure_code` (the dossiers a representative follows)."""
    return exists(
        select(Authorisation.id).where(
            Authorisation.representative_id == representative_id,
            Authorisation.principal_id == principal,
            _valid(utcnow()),
            _covers(procedure_code),
        )
    )


def list_granted(principal: User) -> list[Authorisation]:
    """What the principal has granted, newest first (revoked and expired ones included)."""
    return list(
        db.session.scalars(
            select(Authorisation)
            .where(Authorisation.principal_id == principal.id)
            .options(selectinload(Authorisation.representative), selectinload(Authorisation.procedures))
            .order_by(Authorisation.created_at.desc(), Authorisation.id.desc())
        )
    )


def list_received(representative: User) -> list[Authorisation]:
    """What others have granted to this account, newest first."""
    return list(
        db.session.scalars(
            select(Authorisation)
            .where(Authorisation.representative_id == representative.id)
            .options(selectinload(Authorisation.principal), selectinload(Authorisation.procedures))
            .order_by(Authorisation.created_at.desc(), Authorisation.id.desc())
        )
    )


def list_principals_for(representative: User, procedure_code: str) -> list[Authorisation]:
    """The valid authorisations of this representative covering the procedure, one per principal."""
    found = db.session.scalars(
        select(Authorisation)
        .where(
            Authorisation.representative_id == representative.id,
            _valid(utcnow()),
            _covers(procedure_code),
        )
        .options(selectinload(Authorisation.principal))
        .order_by(Authorisation.expires_at.desc())
    )
    by_principal: dict[int, Authorisation] = {}
    for authorisation in found:
        by_principal.setdefault(authorisation.principal_id, authorisation)
    return sorted(by_principal.values(), key=lambda a: a.principal.full_name)


def find_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_authorisation(authorisation_id: int) -> Authorisation | None:
    return db.session.get(Authorisation, authorisation_id)


def get_authorisation(authorisation_id: int) -> Authorisation:
    found = db.session.get(Authorisation, authorisation_id)
    if found is None:
        raise NotFoundError(f"Không tìm thấy giấy ủy quyền #{authorisation_id}")
    return found
