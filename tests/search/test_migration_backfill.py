"""The migration that made dossier_holders filled it for the dossiers that existed: with the same
units and the same phone form as the running app writes (it has its own copy of the rule)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text

from app.extensions import db
from app.search.terms import normalise_phone

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations/versions/c15a0001srch_staff_search_month_to_date_reports.py"
)
PHONES = [
    "0912345678",
    " +84 912 345 678",
    "+84 (0) 912 345 678",
    "84912345678",
    "8491234567",
    "0912.345.678",
    "(0296) 3852 123",
    "không có",
    "",
    None,
]


@pytest.fixture(scope="module")
def migration():
    spec = importlib.util.spec_from_file_location("c15a0001srch", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("phone", PHONES)
def test_the_backfill_writes_phones_as_the_app_does(migration, phone):
    in_sql = db.session.execute(
        text(f"SELECT {migration.PHONE_SQL} FROM (SELECT CAST(:p AS varchar) AS applicant_phone) AS d"),  # noqa: S608
        {"p": phone},
    ).scalar()
    assert in_sql == migration._phone(phone) == normalise_phone(phone)


def test_the_backfill_names_every_unit_that_held_each_dossier(migration, land, births):
    expected = set(db.session.execute(text("SELECT dossier_id, unit_id FROM dossier_holders")).all())
    db.session.execute(text("DELETE FROM dossier_holders"))
    db.session.execute(text(migration.FILL_SQL))
    rows = db.session.execute(
        text("SELECT dossier_id, unit_id, code_reversed, phone FROM dossier_holders ORDER BY 1, 2")
    ).all()
    assert {(r.dossier_id, r.unit_id) for r in rows} == expected and len(expected) >= len(births) + 3
    codes = dict(db.session.execute(text("SELECT id, code FROM dossiers")).all())
    assert all(r.code_reversed == codes[r.dossier_id][::-1] for r in rows)
