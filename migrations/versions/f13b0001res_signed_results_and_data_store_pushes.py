"""Signed electronic results (the public verification page's facts) and their pushes to the
citizens' personal data stores, with the log of every try

Revision ID: f13b0001res
Revises: f13a0001pay
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "f13b0001res"
down_revision = "f13a0001pay"
branch_labels = None
depends_on = None

_DUE = "state IN ('pending', 'in_flight')"


def upgrade():
    op.create_table(
        "signed_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("issuer_unit_id", sa.Integer(), nullable=True),
        sa.Column("issuer_name", sa.String(length=255), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=False),
        sa.Column("certificate_subject", sa.String(length=500), nullable=False),
        sa.Column("certificate_issuer", sa.String(length=500), nullable=False),
        sa.Column("certificate_serial", sa.String(length=80), nullable=False),
        sa.Column("signed_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("has_timestamp", sa.Boolean(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.String(length=500), nullable=False),
        sa.Column("result_name", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dossier_documents.id"],
            name=op.f("fk_signed_results_document_id_dossier_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_signed_results_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_unit_id"], ["units.id"], name=op.f("fk_signed_results_issuer_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_results")),
        sa.UniqueConstraint("document_id", name=op.f("uq_signed_results_document_id")),
        sa.UniqueConstraint("number", name=op.f("uq_signed_results_number")),
        sa.UniqueConstraint("token", name=op.f("uq_signed_results_token")),
    )
    with op.batch_alter_table("signed_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signed_results_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signed_results_sha256"), ["sha256"], unique=False)

    op.create_table(
        "data_store_pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signed_result_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dead_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_data_store_pushes_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["signed_result_id"],
            ["signed_results.id"],
            name=op.f("fk_data_store_pushes_signed_result_id_signed_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_store_pushes")),
        sa.UniqueConstraint("message_id", name=op.f("uq_data_store_pushes_message_id")),
        sa.UniqueConstraint("signed_result_id", name=op.f("uq_data_store_pushes_signed_result_id")),
    )
    with op.batch_alter_table("data_store_pushes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_store_pushes_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(
            "ix_data_store_pushes_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text(_DUE),
            sqlite_where=sa.text(_DUE),
        )

    op.create_table(
        "data_store_push_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("push_id", sa.Integer(), nullable=False),
        sa.Column("started_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("is_success", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["push_id"],
            ["data_store_pushes.id"],
            name=op.f("fk_data_store_push_attempts_push_id_data_store_pushes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_store_push_attempts")),
    )
    with op.batch_alter_table("data_store_push_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_store_push_attempts_push_id"), ["push_id"], unique=False)


def downgrade():
    with op.batch_alter_table("data_store_push_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_store_push_attempts_push_id"))
    op.drop_table("data_store_push_attempts")
    with op.batch_alter_table("data_store_pushes", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_data_store_pushes_due", postgresql_where=sa.text(_DUE), sqlite_where=sa.text(_DUE)
        )
        batch_op.drop_index(batch_op.f("ix_data_store_pushes_dossier_id"))
    op.drop_table("data_store_pushes")
    with op.batch_alter_table("signed_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_results_sha256"))
        batch_op.drop_index(batch_op.f("ix_signed_results_dossier_id"))
    op.drop_table("signed_results")
