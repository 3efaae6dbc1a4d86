"""Staff dossier search: every dossier the user's units hold or held, in any state, by code or the
end of a code, applicant's name (with or without diacritics), citizen ID, phone, procedure and
submission dates; newest submission first, keyset-paginated on (submitted_at, id).

Every filter is a condition on `DossierHolder` (app.search.models), so a page is chosen from that
narrow table alone, by one of its indexes: the unit's newest dossiers, the end of a code, name
trigrams, a citizen ID or a phone. Only the page's rows are then read from `dossiers`,
where they are checked once more against the dossier page's own visibility rule.

`search_statement` is the exact SQL of a page; `benchmarks/search.py` measures it at 1,000,000
dossiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, select, tuple_

from app.auth.models import User
from app.core.cursors import Cursor
from app.core.time import VN_TZ
from app.dossiers.models import Dossier
from app.dossiers.permissions import visibility_clause
from app.extensions import db
from app.org.models import Unit
from app.procedures import get_registry
from app.search.models import DossierHolder
from app.search.permissions import EVERY_UNIT, search_units
from app.search.terms import CITIZEN_ID, CODE, CODE_END, PHONE, SearchTerm, read_term, reversed_code

PAGE_SIZE = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None  # code or its end, citizen ID, phone, or name words (app.search.terms)
    procedure: str | None = None
    date_from: date | None = None  # submitted on or after this local date
    date_to: date | None = None  # submitted on or before this local date

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.procedure or self.date_from or self.date_to)


@dataclass
class SearchRow:
    code: str
    procedure_code: str
    procedure_name: str
    state: str
    state_label: str
    is_final: bool
    national_status: int
    applicant_name: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    returned_at: datetime | None
    unit_code: str  # the unit holding the dossier now
    unit_name: str


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def term_clause(term: SearchTerm) -> ColumnElement[bool]:
    """The search term as a condition on DossierHolder."""
    holder = DossierHolder
    if term.kind == CODE:
        return holder.code_reversed == reversed_code(term.value)
    if term.kind == CODE_END:
        return holder.code_reversed.like(_like_prefix(reversed_code(term.value)), escape="\\")
    if term.kind == CITIZEN_ID:
        return holder.citizen_id == term.value
    if term.kind == PHONE:
        return holder.phone == term.value
    if not term.words:  # nothing searchable was typed
        return false()
    return and_(*(holder.name_search.like(f"%{word}%") for word in term.words))


def held_dossier_ids(unit_id: int, term: SearchTerm) -> Select:
    """Ids of the dossiers `unit_id` holds or held that match `term` (the queues' code-end and
    phone search: one range of a DossierHolder index)."""
    return select(DossierHolder.dossier_id).where(DossierHolder.unit_id == unit_id, term_clause(term))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VN_TZ)


def _conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    holder = DossierHolder
    found = []
    term = read_term(filters.q)
    if term is not None:
        found.append(term_clause(term))
    if filters.procedure:
        found.append(holder.procedure_code == filters.procedure)
    if filters.date_from:
        found.append(holder.submitted_at >= _local_midnight(filters.date_from))
    if filters.date_to:
        found.append(holder.submitted_at < _local_midnight(filters.date_to + timedelta(days=1)))
    return found


def search_statement(
    units: Sequence[int], filters: SearchFilters, cursor: Cursor | None, limit: int
) -> Select:
    """One page of the dossiers `units` hold or held that match `filters`, newest submission first;
    `limit` rows (ask limit+1 to know whether a next page exists). The page is chosen in
    DossierHolder (one unit: a range of one of its indexes; several: the newest rows of all, each
    dossier once), then joined to its dossiers and their holding units."""
    holder = DossierHolder
    unit_clause = holder.unit_id == units[0] if len(units) == 1 else holder.unit_id.in_(units)
    page = select(holder.submitted_at, holder.dossier_id).where(unit_clause, *_conditions(filters))
    if cursor is not None:
        page = page.where(tuple_(holder.submitted_at, holder.dossier_id) < (cursor.sort_key, cursor.id))
    if len(units) > 1:
        page = page.distinct()  # a dossier held by several of the units has a row for each
    page = page.order_by(holder.submitted_at.desc(), holder.dossier_id.desc()).limit(limit).subquery()
    return (
        select(
            Dossier.id,
            Dossier.code,
            Dossier.procedure_code,
            Dossier.procedure_version,
            Dossier.state,
            Dossier.national_status,
            Dossier.applicant_name,
            Dossier.submitted_at,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.completed_at,
            Dossier.returned_at,
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            Unit.name_en.label("unit_name_en"),
        )
        .join(page, Dossier.id == page.c.dossier_id)
        .join(Unit, Unit.id == Dossier.current_unit_id)
        .order_by(page.c.submitted_at.desc(), page.c.dossier_id.desc())
    )


class _Rows:
    """Turns a page's records into SearchRows, naming each (procedure, version, state) once."""

    def __init__(self, lang: str) -> None:
        self.lang, self.registry = lang, get_registry()
        self.names: dict[tuple[str, int, str], tuple[str, str, bool]] = {}

    def _names(self, code: str, version: int, state_name: str) -> tuple[str, str, bool]:
        key = (code, version, state_name)
        if key not in self.names:
            procedure = self.registry.get(code, version)
            state = procedure.states.get(state_name)
            label = state.label.get(self.lang) if state else state_name
            self.names[key] = (procedure.name.get(self.lang), label, bool(state and state.is_final))
        return self.names[key]

    def row(self, record: Any) -> SearchRow:
        procedure_name, state_label, is_final = self._names(
            record.procedure_code, record.procedure_version, record.state
        )
        english = self.lang == "en" and record.unit_name_en
        return SearchRow(
            code=record.code,
            procedure_code=record.procedure_code,
            procedure_name=procedure_name,
            state=record.state,
            state_label=state_label,
            is_final=is_final,
            national_status=record.national_status,
            applicant_name=record.applicant_name,
            submitted_at=record.submitted_at,
            received_at=record.received_at,
            due_at=record.due_at,
            completed_at=record.completed_at,
            returned_at=record.returned_at,
            unit_code=record.unit_code,
            unit_name=record.unit_name_en if english else record.unit_name,
        )


def _scope(user: User) -> list[int]:
    units = search_units(user)
    if units is EVERY_UNIT:
        return list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    return units


def search_dossiers(
    user: User,
    filters: SearchFilters,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
    lang: str = "vi",
) -> tuple[list[SearchRow], Cursor | None]:
    """One page of the user's search and the cursor of the next page (None at the end). Each row is
    also checked against the dossier page's visibility rule, so a result always opens."""
    units = _scope(user)
    if not units:
        return [], None
    statement = search_statement(units, filters, cursor, limit + 1).where(visibility_clause(user))
    # Plain rows, no ORM entities: run on the session's connection, past the ORM's statement handling
    # (so flush first, as the ORM would).
    db.session.flush()
    records = db.session.connection().execute(statement).all()
    page = records[:limit]
    next_cursor = Cursor(page[-1].submitted_at, page[-1].id) if len(records) > limit else None
    rows = _Rows(lang)
    return [rows.row(r) for r in page], next_cursor
