"""Indicators that follow the structure: a daily rollup of the counted facts, what it counted of
each dossier and its state, the
indexes of attribution by competent unit, receiving unit and leg; citizens' own uploads are no
longer recorded as digitised (only counter scans, reuse, electronic originals and issued results)

Revision ID: e11a0001ind
Revises: c15b0001ptn
"""

import sqlalchemy as sa
from alembic import op

revision = "e11a0001ind"
down_revision = "c15b0001ptn"
branch_labels = None
depends_on = ("a11c0001org1",)  # the competent unit column its indexes include

_COMPLETED = "completed_at IS NOT NULL"
_OPEN = "received_at IS NOT NULL AND completed_at IS NULL AND queue_due_at IS NOT NULL"
COUNTERS = (
    "received", "online", "counter", "postal", "fully_online", "digitised", "reused",
    "completed", "early", "on_time", "late", "electronic", "timed", "minutes", "ratings", "satisfied",
    "time_ok", "once", "good", "legs", "leg_early", "leg_on_time", "leg_late",
)  # fmt: skip


def upgrade():
    op.create_table(
        "indicator_daily_facts",
        sa.Column("family", sa.String(length=12), nullable=False),
        sa.Column("basis", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_version", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in COUNTERS],
        sa.PrimaryKeyConstraint("family", "basis", "day", "unit_id", "procedure_code", "procedure_version"),
    )
    op.create_table(
        "indicator_recorded_facts",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("received_day", sa.Date(), nullable=True),
        sa.Column("completed_day", sa.Date(), nullable=True),
        sa.Column("receiving_unit_id", sa.Integer(), nullable=False),
        sa.Column("competent_unit_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("digitised", sa.Boolean(), nullable=False),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("is_electronic", sa.Boolean(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("rating_overall", sa.SmallInteger(), nullable=True),
        sa.Column("rating_time", sa.String(length=16), nullable=True),
        sa.Column("rating_contacts", sa.String(length=16), nullable=True),
        sa.Column("rating_conduct", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("dossier_id"),
    )
    op.create_index("ix_indicator_recorded_facts_received_day", "indicator_recorded_facts", ["received_day"])
    op.create_index(
        "ix_indicator_recorded_facts_completed_day", "indicator_recorded_facts", ["completed_day"]
    )
    op.create_table(
        "indicator_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("legs_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_day", sa.Date(), nullable=False),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days_refreshed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dossiers_updated_at", "dossiers", ["updated_at"])
    op.create_index(
        "ix_dossiers_completed_at",
        "dossiers",
        ["completed_at"],
        postgresql_include=[
            "receiving_unit_id", "competent_unit_id", "current_unit_id", "procedure_code", "processing_minutes"
        ],
        postgresql_where=sa.text(_COMPLETED),
        sqlite_where=sa.text(_COMPLETED),
    )  # fmt: skip
    op.create_index(
        "ix_dossiers_open_units",
        "dossiers",
        [sa.text("coalesce(competent_unit_id, current_unit_id)"), "due_at"],
        postgresql_include=[
            "id",
            "competent_unit_id",
            "current_unit_id",
            "receiving_unit_id",
            "procedure_code",
            "paused_at",
        ],
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )
    op.create_index(
        "ix_dossiers_completed_outcome",
        "dossiers",
        [sa.text("coalesce(competent_unit_id, current_unit_id)"), "outcome", "completed_at"],
        postgresql_where=sa.text(_COMPLETED),
        sqlite_where=sa.text(_COMPLETED),
    )
    op.create_index(
        "ix_dossier_steps_unfinished",
        "dossier_steps",
        ["unit_id"],
        postgresql_include=["dossier_id", "due_at", "near_due_at", "paused_at"],
        postgresql_where=sa.text("finished_at IS NULL"),
        sqlite_where=sa.text("finished_at IS NULL"),
    )
    op.create_index(
        "ix_dossier_steps_finished",
        "dossier_steps",
        ["finished_at"],
        postgresql_include=["unit_id", "dossier_id", "outcome"],
        postgresql_where=sa.text("finished_at IS NOT NULL"),
        sqlite_where=sa.text("finished_at IS NOT NULL"),
    )
    # A citizen's own upload was recorded as digitised; it is not (app.workflow.documents
    # DIGITISED_SOURCES). The dossiers' flag is recomputed as app.dossiers.models.document_flags does.
    op.execute("UPDATE dossier_documents SET is_digitised = false WHERE source = 'citizen_upload'")
    op.execute(
        """UPDATE dossiers SET has_digitised_inputs = (
             EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
                     AND d.is_current AND NOT d.is_result)
             AND NOT EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
                     AND d.is_current AND NOT d.is_result AND NOT d.is_digitised))
           WHERE id IN (SELECT dossier_id FROM dossier_documents WHERE source = 'citizen_upload')"""
    )


def downgrade():
    op.execute("UPDATE dossier_documents SET is_digitised = true WHERE source = 'citizen_upload'")
    op.execute(
        """UPDATE dossiers SET has_digitised_inputs = (
             EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
                     AND d.is_current AND NOT d.is_result)
             AND NOT EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
                     AND d.is_current AND NOT d.is_result AND NOT d.is_digitised))
           WHERE id IN (SELECT dossier_id FROM dossier_documents WHERE source = 'citizen_upload')"""
    )
    op.drop_index("ix_dossier_steps_finished", table_name="dossier_steps")
    op.drop_index("ix_dossier_steps_unfinished", table_name="dossier_steps")
    op.drop_index("ix_dossiers_completed_outcome", table_name="dossiers")
    op.drop_index("ix_dossiers_open_units", table_name="dossiers")
    op.drop_index("ix_dossiers_completed_at", table_name="dossiers")
    op.drop_index("ix_dossiers_updated_at", table_name="dossiers")
    op.drop_table("indicator_rollup_state")
    op.drop_index("ix_indicator_recorded_facts_completed_day", table_name="indicator_recorded_facts")
    op.drop_index("ix_indicator_recorded_facts_received_day", table_name="indicator_recorded_facts")
    op.drop_table("indicator_recorded_facts")
    op.drop_table("indicator_daily_facts")
