"""Dossiers filed on the National Public Service Portal, received through the LGSP (inbound filings)

Revision ID: f16a0001inb
Revises: f13b0001res
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.core.db

revision = "f16a0001inb"
down_revision = "f13b0001res"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbound_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("national_code", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=80), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "envelope",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("localised_code", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=40), nullable=False),
        sa.Column("applicant_name", sa.String(length=255), nullable=False),
        sa.Column("filed_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("imported_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'received', 'held', 'rejected', 'failed')",
            name=op.f("ck_inbound_filings_state_known"),
        ),
        sa.CheckConstraint("transport IN ('push', 'poll')", name=op.f("ck_inbound_filings_transport_known")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_inbound_filings_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_inbound_filings_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_filings")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_inbound_filings_dossier_id")),
        sa.UniqueConstraint("national_code", name=op.f("uq_inbound_filings_national_code")),
    )
    op.create_index(
        "ix_inbound_filings_due",
        "inbound_filings",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("state = 'pending'"),
        sqlite_where=sa.text("state = 'pending'"),
    )


def downgrade():
    op.drop_index("ix_inbound_filings_due", table_name="inbound_filings")
    op.drop_table("inbound_filings")
