"""Who holds or held each dossier, with the keys officers search it by.

A dossier is visible to the staff of every unit that holds or held it: its receiving unit, the unit
holding it now and the unit of each of its steps (app.dossiers.permissions). `DossierHolder` has one
row per such unit and dossier, and copies of the dossier's search keys (code, applicant's folded
name, citizen ID, phone, procedure, submission time), so that one unit's search is a range of one
index of a narrow table instead of an OR over three columns and the steps of a million dossiers.

The rows are kept in the transaction of every change that can add a holder or change a key:
`_keep_holders` runs after each flush that wrote a dossier or a step. A holder is never removed: a
unit that held a dossier once keeps seeing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, event, inspect, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.search.terms import normalise_phone, reversed_code

# Dossier attributes the copied keys come from; a change to any of them rewrites the dossier's rows.
KEY_SOURCES = (
    "code",
    "procedure_code",
    "submitted_at",
    "applicant_name_search",
    "applicant_citizen_id",
    "applicant_phone",
)


class DossierHolder(db.Model):
    __tablename__ = "dossier_holders"
    __table_args__ = (
        # The dossier's rows (rewriting its keys).
        Index("ix_dossier_holders_dossier_id", "dossier_id"),
        # One unit's dossiers, newest first, and its date range and procedure filters.
        Index(
            "ix_dossier_holders_unit_recent",
            "unit_id",
            "submitted_at",
            "dossier_id",
            postgresql_include=["procedure_code"],
        ),
        # Several units' dossiers (a supervisor's area, an administrator), newest first.
        Index(
            "ix_dossier_holders_recent",
            "submitted_at",
            "dossier_id",
            postgresql_include=["unit_id", "procedure_code"],
        ),
        # The end of a code (serial, day and serial): a prefix of the reversed code, any collation.
        Index(
            "ix_dossier_holders_unit_code",
            "unit_id",
            "code_reversed",
            postgresql_ops={"code_reversed": "varchar_pattern_ops"},
            postgresql_include=["submitted_at", "dossier_id"],
        ),
        # Name words anywhere in the name: trigrams (pg_trgm) on PostgreSQL, a plain index elsewhere.
        # Without the unit: a rare name is found among a few rows of all units and then kept to the
        # unit's (5 ms at 1,000,000 dossiers, against 18 ms with the unit in a btree_gin index, whose
        # posting list of a busy unit has a third of the rows); a common one is walked in the unit's
        # newest-first index instead.
        Index(
            "ix_dossier_holders_name_search",
            "name_search",
            postgresql_using="gin",
            postgresql_ops={"name_search": "gin_trgm_ops"},
        ),
        Index("ix_dossier_holders_citizen_id", "citizen_id"),
        Index("ix_dossier_holders_phone", "phone"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    procedure_code: Mapped[str] = mapped_column(String(32))
    code_reversed: Mapped[str] = mapped_column(String(40))  # terms.reversed_code(dossier.code)
    name_search: Mapped[str | None] = mapped_column(String(255))  # Dossier.applicant_name_search
    citizen_id: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(20))  # terms.normalise_phone


def holder_keys(dossier: Dossier) -> dict[str, object]:
    """The copied search keys of a dossier's rows (bulk loaders must write the same values)."""
    return {
        "submitted_at": dossier.submitted_at,
        "procedure_code": dossier.procedure_code,
        "code_reversed": reversed_code(dossier.code),
        "name_search": dossier.applicant_name_search,
        "citizen_id": dossier.applicant_citizen_id,
        "phone": normalise_phone(dossier.applicant_phone),
    }


def _changed(obj: object, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _insert_ignoring_existing(session: Session, rows: list[dict[str, object]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DossierHolder).values(rows)
    session.connection().execute(statement.on_conflict_do_nothing(index_elements=["unit_id", "dossier_id"]))


@event.listens_for(Session, "after_flush")
def _keep_holders(session: Session, _context: object) -> None:
    """New holders (a new dossier, a new holding unit, a step at a unit) get their row; a change to a
    copied key rewrites every row of the dossier. Nothing is written for a flush that changed neither."""
    wanted: dict[tuple[int, int], Dossier] = {}
    rekeyed: list[Dossier] = []
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Dossier) and obj.id is not None:
            is_new = obj in session.new
            if is_new or _changed(obj, ("receiving_unit_id", "current_unit_id")):
                for unit_id in (obj.receiving_unit_id, obj.current_unit_id):
                    wanted[unit_id, obj.id] = obj
            if not is_new and _changed(obj, KEY_SOURCES):
                rekeyed.append(obj)
        elif isinstance(obj, DossierStep) and obj in session.new:
            dossier = obj.dossier or session.get(Dossier, obj.dossier_id)
            wanted[obj.unit_id, dossier.id] = dossier
    if wanted:
        rows = [
            {"unit_id": unit_id, "dossier_id": dossier_id, **holder_keys(dossier)}
            for (unit_id, dossier_id), dossier in wanted.items()
            if unit_id is not None
        ]
        _insert_ignoring_existing(session, rows)
    for dossier in rekeyed:
        session.connection().execute(
            update(DossierHolder).where(DossierHolder.dossier_id == dossier.id).values(**holder_keys(dossier))
        )
