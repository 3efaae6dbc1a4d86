"""Officer queues: queue sort key and folded applicant name

Revision ID: a655f70f0ed9
Revises: d68f39f5f608
Create Date: 2026-11-27 12:50:20.263177

`queue_due_at` (due_at, or submitted_at before acceptance; NULL in a final state) with the partial index
(current_unit_id, queue_due_at, id) serves every officer queue page as one index range scan;
`applicant_name_search` holds the name without diacritics, trigram-indexed on PostgreSQL (pg_trgm).
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = "a655f70f0ed9"
down_revision = "d68f39f5f608"
branch_labels = None
depends_on = None

# Final states of the shared vocabulary (workflows/README.md) at the time of this revision.
FINAL_STATES = ("refused", "returned", "withdrawn", "stopped")


def _fold(value: str) -> str:
    """Same folding as app.procedures.queries.search_words, frozen here for the backfill."""
    decomposed = unicodedata.normalize("NFD", (value or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def upgrade():
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_name_search", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("queue_due_at", app.core.db.UTCDateTime(timezone=True), nullable=True))

    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE dossiers SET queue_due_at = COALESCE(due_at, submitted_at) WHERE state NOT IN :finals"
        ).bindparams(sa.bindparam("finals", value=list(FINAL_STATES), expanding=True))
    )
    rows = bind.execute(sa.text("SELECT id, applicant_name FROM dossiers")).all()
    for row_id, name in rows:
        bind.execute(
            sa.text("UPDATE dossiers SET applicant_name_search = :folded WHERE id = :id"),
            {"folded": _fold(name), "id": row_id},
        )

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        if is_postgresql:
            batch_op.create_index(
                "ix_dossiers_applicant_name_search",
                ["applicant_name_search"],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={"applicant_name_search": "gin_trgm_ops"},
            )
        else:
            batch_op.create_index(
                "ix_dossiers_applicant_name_search", ["applicant_name_search"], unique=False
            )
        batch_op.create_index(
            "ix_dossiers_queue",
            ["current_unit_id", "queue_due_at", "id"],
            unique=False,
            postgresql_where=sa.text("queue_due_at IS NOT NULL"),
            sqlite_where=sa.text("queue_due_at IS NOT NULL"),
        )


def downgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_queue")
        batch_op.drop_index("ix_dossiers_applicant_name_search")
        batch_op.drop_column("queue_due_at")
        batch_op.drop_column("applicant_name_search")
