"""Reads of the audit domain: the access log (admin filters, a dossier's own list), verification
runs and anchors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditAnchor, AuditVerification, DossierAccess
from app.auth.models import User
from app.dossiers.models import Dossier
from app.extensions import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class AccessFilter:
    dossier_code: str | None = None
    user: str | None = None  # username, or a part of the full name
    page: int = 1


@dataclass(frozen=True)
class AccessRow:
    access: DossierAccess
    dossier_code: str


def list_accesses(filters: AccessFilter) -> tuple[list[AccessRow], int]:
    """One page of the access log, newest first, and the number of rows that match."""
    query = select(DossierAccess, Dossier.code).join(Dossier, Dossier.id == DossierAccess.dossier_id)
    if filters.dossier_code:
        query = query.where(Dossier.code == filters.dossier_code)
    if filters.user:
        pattern = f"%{filters.user.lower()}%"
        users = select(User.id).where(
            or_(func.lower(User.username) == filters.user.lower(), func.lower(User.full_name).like(pattern))
        )
        query = query.where(DossierAccess.user_id.in_(users))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.options(joinedload(DossierAccess.user), joinedload(DossierAccess.unit))
        .order_by(DossierAccess.created_at.desc(), DossierAccess.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [AccessRow(access, code) for access, code in rows], total


def list_dossier_accesses(dossier_id: int, limit: int = 50) -> tuple[list[DossierAccess], int]:
    """The newest accesses to one dossier (with their units), and how many there are in all."""
    rows = db.session.scalars(
        select(DossierAccess)
        .where(DossierAccess.dossier_id == dossier_id)
        .options(joinedload(DossierAccess.unit))
        .order_by(DossierAccess.created_at.desc(), DossierAccess.id.desc())
        .limit(limit)
    ).all()
    total = db.session.scalar(
        select(func.count(DossierAccess.id)).where(DossierAccess.dossier_id == dossier_id)
    )
    return list(rows), total or 0


def find_last_verification() -> AuditVerification | None:
    return db.session.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))


def find_verification(verification_id: int) -> AuditVerification | None:
    return db.session.get(AuditVerification, verification_id)


def list_recent_anchors(limit: int = 10) -> list[AuditAnchor]:
    return list(db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(limit)))
