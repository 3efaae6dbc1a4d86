"""Reading signed results and their pushes; the facts the indicators count.

`result_facts()` is what the indicators read (Decision 766 group 6): SQL booleans over `Dossier`,
"original_electronic": the dossier has a result signed with the issuing agency's digital signature
(an unsigned file or a paper result is not one), and "pushed": one of those reached the citizen's
personal data store.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.dossiers.models import Dossier
from app.extensions import db
from app.results.models import DataStorePush, SignedResult

PAGE_SIZE = 50


def original_electronic_clause() -> ColumnElement[bool]:
    return exists().where(SignedResult.dossier_id == Dossier.id)


def pushed_clause() -> ColumnElement[bool]:
    return exists().where(DataStorePush.dossier_id == Dossier.id, DataStorePush.state == "delivered")


def result_facts() -> dict[str, ColumnElement[bool]]:
    """The indicator facts of results, by name (see the module docstring)."""
    return {"original_electronic": original_electronic_clause(), "pushed": pushed_clause()}


def find_by_token(token: str) -> SignedResult | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(SignedResult).where(SignedResult.token == token))


def signed_results_of(dossier_id: int) -> dict[int, SignedResult]:
    """The signed results of a dossier, by document id."""
    rows = db.session.scalars(select(SignedResult).where(SignedResult.dossier_id == dossier_id))
    return {row.document_id: row for row in rows}


def list_pushes(state: str | None = None, page: int = 1) -> tuple[list[DataStorePush], int]:
    """Pushes newest first, with their results and attempts (one page), and how many there are."""
    where = [DataStorePush.state == state] if state else []
    total = db.session.scalar(select(func.count()).select_from(DataStorePush).where(*where)) or 0
    rows = db.session.scalars(
        select(DataStorePush)
        .options(joinedload(DataStorePush.signed_result), joinedload(DataStorePush.attempts_log))
        .where(*where)
        .order_by(DataStorePush.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).unique()
    return list(rows), total


def push_counts() -> dict[str, int]:
    rows = db.session.execute(select(DataStorePush.state, func.count()).group_by(DataStorePush.state))
    return {state: count for state, count in rows}
