"""Read side of the filings received from the national portal: the pages' lists and counts, what
the sweep finds due, and the code the portal knows a dossier by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core.errors import NotFoundError
from app.dossiers.models import Dossier
from app.extensions import db
from app.national.models import HELD, PENDING, STATES, InboundFiling
from app.procedures.definitions import NATIONAL_PORTAL


def national_code_of(dossier: Dossier) -> str:
    """The code the national portal knows the dossier by: the national dossier code when it was
    filed there (a province that allocates local codes keeps both), else the dossier's own code."""
    if dossier.channel != NATIONAL_PORTAL:
        return dossier.code
    code = db.session.scalar(
        select(InboundFiling.national_code).where(InboundFiling.dossier_id == dossier.id)
    )
    return code or dossier.code


def get_filing(filing_id: int) -> InboundFiling:
    filing = db.session.get(InboundFiling, filing_id)
    if filing is None:
        raise NotFoundError("Không tìm thấy hồ sơ nhận từ Cổng DVC quốc gia")
    return filing


def find_filing_by_code(national_code: str) -> InboundFiling | None:
    return db.session.scalar(
        select(InboundFiling)
        .options(joinedload(InboundFiling.dossier))
        .where(InboundFiling.national_code == national_code)
    )


def list_held(limit: int = 100) -> list[InboundFiling]:
    """Filings waiting for an officer to name their procedure, oldest first."""
    return list(
        db.session.scalars(
            select(InboundFiling).where(InboundFiling.state == HELD).order_by(InboundFiling.id).limit(limit)
        )
    )


def list_filings(state: str | None = None, code: str | None = None, limit: int = 50) -> list[InboundFiling]:
    """The latest filings (of one state, or whose national code starts with `code`), newest first."""
    query = select(InboundFiling).options(joinedload(InboundFiling.dossier))
    if state in STATES:
        query = query.where(InboundFiling.state == state)
    if code:
        query = query.where(InboundFiling.national_code.ilike(f"{code.strip()}%"))
    return list(db.session.scalars(query.order_by(InboundFiling.id.desc()).limit(limit)))


def state_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(InboundFiling.state, func.count()).group_by(InboundFiling.state)
    ).tuples()
    return {**dict.fromkeys(STATES, 0), **dict(rows.all())}


def due_filing_ids(now: datetime, limit: int = 1000) -> list[int]:
    """Pending filings whose (next) attempt is due, oldest first."""
    return list(
        db.session.scalars(
            select(InboundFiling.id)
            .where(InboundFiling.state == PENDING, InboundFiling.next_attempt_at <= now)
            .order_by(InboundFiling.next_attempt_at, InboundFiling.id)
            .limit(limit)
        )
    )
