"""Staff dossier search (the units that hold or held each dossier, with its search keys) and
month-to-date reports

Revision ID: c15a0001srch
Revises: b12b0001totp
Create Date: 2026-12-05 10:00:00

`dossier_holders` has one row per dossier and unit that holds or held it (receiving unit, the unit
holding it now, the unit of each step) with copies of the dossier's search keys: the code written
backwards (its end is an index prefix), the folded name (trigram-indexed), citizen ID, phone in
national form, procedure and submission time. Existing dossiers get their rows here.

`monthly_reports.as_of`: the last day a month-to-date report counts (NULL: the whole month); a unit
has one whole-month report per month and one month-to-date report per month and day.
"""

# ruff: noqa: S608  (the SQL is assembled from this file's own constants)

import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = "c15a0001srch"
down_revision = "b12b0001totp"
branch_labels = None
depends_on = None

BATCH = 5000


def _phone(value):
    """Same as app.search.terms.normalise_phone, frozen here for the backfill."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit() and ch.isascii())
    if (value or "").strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = digits[2:] if digits[2:].startswith("0") else "0" + digits[2:]  # "+84 (0) 912 ..." too
    return digits or None


# PostgreSQL computes the same keys in SQL, in one statement.
DIGITS = "regexp_replace(d.applicant_phone, '[^0-9]', '', 'g')"
PHONE_SQL = f"""NULLIF(CASE
    WHEN btrim(d.applicant_phone) LIKE '+84%' OR {DIGITS} ~ '^84[0-9]{{9}}$' THEN
        CASE WHEN substr({DIGITS}, 3) LIKE '0%' THEN substr({DIGITS}, 3) ELSE '0' || substr({DIGITS}, 3) END
    ELSE {DIGITS} END, '')"""
HOLDERS_SQL = """
    SELECT dossier_id, unit_id FROM (
        SELECT id AS dossier_id, receiving_unit_id AS unit_id FROM dossiers
        UNION SELECT id, current_unit_id FROM dossiers
        UNION SELECT dossier_id, unit_id FROM dossier_steps) AS held"""

FILL_SQL = (
    "INSERT INTO dossier_holders (unit_id, dossier_id, submitted_at, procedure_code, code_reversed, "
    "name_search, citizen_id, phone) "
    "SELECT h.unit_id, d.id, d.submitted_at, d.procedure_code, reverse(d.code), "
    f"d.applicant_name_search, d.applicant_citizen_id, {PHONE_SQL} "
    f"FROM ({HOLDERS_SQL}) h JOIN dossiers d ON d.id = h.dossier_id"
)


def _create_holders():
    op.create_table(
        "dossier_holders",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("code_reversed", sa.String(length=40), nullable=False),
        sa.Column("name_search", sa.String(length=255), nullable=True),
        sa.Column("citizen_id", sa.String(length=12), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_holders_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_dossier_holders_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", "dossier_id", name=op.f("pk_dossier_holders")),
    )


def _fill_holders(is_postgresql):
    bind = op.get_bind()
    if is_postgresql:
        bind.execute(sa.text(FILL_SQL))
        return
    keys = {
        row.id: row
        for row in bind.execute(
            sa.text(
                "SELECT id, submitted_at, procedure_code, code, applicant_name_search, "
                "applicant_citizen_id, applicant_phone FROM dossiers"
            )
        )
    }
    rows = []
    for dossier_id, unit_id in bind.execute(sa.text(HOLDERS_SQL)):
        d = keys[dossier_id]
        rows.append(
            {
                "unit_id": unit_id,
                "dossier_id": dossier_id,
                "submitted_at": d.submitted_at,
                "procedure_code": d.procedure_code,
                "code_reversed": d.code[::-1],
                "name_search": d.applicant_name_search,
                "citizen_id": d.applicant_citizen_id,
                "phone": _phone(d.applicant_phone),
            }
        )
    insert = sa.text(
        "INSERT INTO dossier_holders (unit_id, dossier_id, submitted_at, procedure_code, code_reversed, "
        "name_search, citizen_id, phone) VALUES (:unit_id, :dossier_id, :submitted_at, :procedure_code, "
        ":code_reversed, :name_search, :citizen_id, :phone)"
    )
    for start in range(0, len(rows), BATCH):
        bind.execute(insert, rows[start : start + BATCH])


def _index_holders(is_postgresql):
    with op.batch_alter_table("dossier_holders", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_holders_dossier_id", ["dossier_id"], unique=False)
        batch_op.create_index(
            "ix_dossier_holders_unit_recent",
            ["unit_id", "submitted_at", "dossier_id"],
            unique=False,
            postgresql_include=["procedure_code"],
        )
        batch_op.create_index(
            "ix_dossier_holders_recent",
            ["submitted_at", "dossier_id"],
            unique=False,
            postgresql_include=["unit_id", "procedure_code"],
        )
        batch_op.create_index(
            "ix_dossier_holders_unit_code",
            ["unit_id", "code_reversed"],
            unique=False,
            postgresql_ops={"code_reversed": "varchar_pattern_ops"},
            postgresql_include=["submitted_at", "dossier_id"],
        )
        if is_postgresql:
            batch_op.create_index(
                "ix_dossier_holders_name_search",
                ["name_search"],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={"name_search": "gin_trgm_ops"},
            )
        else:
            batch_op.create_index("ix_dossier_holders_name_search", ["name_search"], unique=False)
        batch_op.create_index("ix_dossier_holders_citizen_id", ["citizen_id"], unique=False)
        batch_op.create_index("ix_dossier_holders_phone", ["phone"], unique=False)


def _month_to_date_reports():
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch_op.drop_constraint("uq_monthly_reports_unit_month", type_="unique")
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_index(
            "uq_monthly_reports_unit_month_whole",
            ["unit_id", "month"],
            unique=True,
            postgresql_where=sa.text("as_of IS NULL"),
            sqlite_where=sa.text("as_of IS NULL"),
        )
        batch_op.create_index(
            "uq_monthly_reports_unit_month_as_of",
            ["unit_id", "month", "as_of"],
            unique=True,
            postgresql_where=sa.text("as_of IS NOT NULL"),
            sqlite_where=sa.text("as_of IS NOT NULL"),
        )


def upgrade():
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _create_holders()
    _fill_holders(is_postgresql)  # before the indexes: one build each instead of row by row
    _index_holders(is_postgresql)
    _month_to_date_reports()


def downgrade():
    op.execute("DELETE FROM monthly_reports WHERE as_of IS NOT NULL")
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_index("uq_monthly_reports_unit_month_as_of")
        batch_op.drop_index("uq_monthly_reports_unit_month_whole")
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_monthly_reports_unit_month", ["unit_id", "month"])
        batch_op.drop_column("as_of")
    op.drop_table("dossier_holders")
