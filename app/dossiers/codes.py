"""Dossier codes (Circular 01/2018 Art. 19): <receiving unit code>-YYMMDD-XXXX.

The serial comes from a per-unit, per-day counter row incremented by an upsert inside the
submitting transaction: the row lock serialises concurrent submissions of one unit, and a
rolled-back submission rolls its number back too, so codes stay unique and gap-free.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from app.dossiers.models import DossierCodeCounter
from app.extensions import db
from app.org.models import Unit


def next_serial(unit_id: int, day: date) -> int:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = DossierCodeCounter.__table__
    statement = (
        insert(table)
        .values(unit_id=unit_id, day=day, last_serial=1)
        .on_conflict_do_update(
            index_elements=[table.c.unit_id, table.c.day], set_={"last_serial": table.c.last_serial + 1}
        )
        .returning(table.c.last_serial)
    )
    return db.session.execute(statement).scalar_one()


def format_code(unit_code: str, day: date, serial: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{serial:04d}"


def allocate_code(unit: Unit, day: date) -> str:
    return format_code(unit.code, day, next_serial(unit.id, day))
