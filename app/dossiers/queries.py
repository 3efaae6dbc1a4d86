from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError
from app.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from app.dossiers.permissions import require_view_dossier, visibility_clause
from app.extensions import db
from app.org.queries import get_unit_by_code

# What an operation that looks a dossier up by code answers 404 for (the OpenAPI document says so).
DOSSIER_NOT_FOUND = "No dossier with this code that the caller may see"


def get_dossier(code: str, user: User) -> Dossier:
    """Load one dossier with everything its detail view shows, in a fixed number of queries."""
    dossier = db.session.scalar(
        select(Dossier)
        .where(Dossier.code == code)
        .options(
            selectinload(Dossier.documents),
            selectinload(Dossier.steps).selectinload(DossierStep.unit),
            selectinload(Dossier.events).selectinload(DossierEvent.actor),
            selectinload(Dossier.events).selectinload(DossierEvent.actor_unit),
        )
    )
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ '{code}'")
    require_view_dossier(user, dossier)
    return dossier


def get_document(dossier: Dossier, document_id: int) -> DossierDocument:
    document = next((d for d in dossier.documents if d.id == document_id), None)
    if document is None:
        raise NotFoundError(f"Không tìm thấy tài liệu #{document_id} trong hồ sơ {dossier.code}")
    return document


@dataclass
class DossierFilter:
    state: str | None = None
    procedure: str | None = None
    unit: str | None = None
    overdue: bool | None = None
    after: int | None = None  # keyset cursor: the last id of the previous page
    limit: int = 50


def list_dossiers(user: User, filters: DossierFilter) -> tuple[list[Dossier], int | None]:
    """Newest first, keyset-paginated on id. Returns the page and the cursor of the next page."""
    query: Select = (
        select(Dossier)
        .where(visibility_clause(user))
        .options(selectinload(Dossier.current_unit), selectinload(Dossier.receiving_unit))
    )
    if filters.state:
        query = query.where(Dossier.state == filters.state)
    if filters.procedure:
        query = query.where(Dossier.procedure_code == filters.procedure)
    if filters.unit:
        query = query.where(Dossier.current_unit_id == get_unit_by_code(filters.unit).id)
    if filters.overdue is not None:
        late = Dossier.completed_at.is_(None) & Dossier.paused_at.is_(None) & (Dossier.due_at < utcnow())
        query = query.where(late if filters.overdue else ~late)
    if filters.after:
        query = query.where(Dossier.id < filters.after)
    rows = list(db.session.scalars(query.order_by(Dossier.id.desc()).limit(filters.limit + 1)))
    next_cursor = rows[filters.limit - 1].id if len(rows) > filters.limit else None
    return rows[: filters.limit], next_cursor
