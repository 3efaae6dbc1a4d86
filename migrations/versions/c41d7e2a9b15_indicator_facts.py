"""Indicator facts kept with the records: document flags and processing minutes on dossiers, the
near-due instant on steps, and covering indexes for the indicator aggregates

Revision ID: c41d7e2a9b15
Revises: f0372d39f323
Create Date: 2026-11-27 14:40:00

"""

from alembic import op
import sqlalchemy as sa
import app.core.db


# revision identifiers, used by Alembic.
revision = "c41d7e2a9b15"
down_revision = "f0372d39f323"
branch_labels = None
depends_on = None

OPEN = "received_at IS NOT NULL AND completed_at IS NULL AND queue_due_at IS NOT NULL"
OPEN_STEP = "finished_at IS NULL AND paused_at IS NULL"
FLAGS = """
UPDATE dossiers SET
  has_digitised_inputs = EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
        AND d.is_current AND NOT d.is_result)
    AND NOT EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
        AND d.is_current AND NOT d.is_result AND NOT d.is_digitised),
  has_reused_document = EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
        AND d.source = 'reused'),
  has_result_document = EXISTS (SELECT 1 FROM dossier_documents d WHERE d.dossier_id = dossiers.id
        AND d.is_result)
"""


RATINGS = """
UPDATE dossiers SET
  rating_overall = (SELECT r.overall FROM ratings r WHERE r.dossier_id = dossiers.id),
  rating_time = (SELECT r.time_vs_statutory FROM ratings r WHERE r.dossier_id = dossiers.id),
  rating_contacts = (SELECT r.contacts FROM ratings r WHERE r.dossier_id = dossiers.id),
  rating_conduct = (SELECT r.conduct FROM ratings r WHERE r.dossier_id = dossiers.id)
WHERE EXISTS (SELECT 1 FROM ratings r WHERE r.dossier_id = dossiers.id)
"""


def upgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("processing_minutes", sa.Integer(), nullable=True))
        for flag in ("has_digitised_inputs", "has_reused_document", "has_result_document"):
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("rating_overall", sa.SmallInteger(), nullable=True))
        for column in ("rating_time", "rating_contacts", "rating_conduct"):
            batch_op.add_column(sa.Column(column, sa.String(length=16), nullable=True))
    with op.batch_alter_table("dossier_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("near_due_at", app.core.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(FLAGS)
    op.execute(RATINGS)
    _backfill_times()
    op.create_index(
        "ix_dossiers_received",
        "dossiers",
        ["receiving_unit_id", "received_at"],
        postgresql_include=["procedure_code", "channel", "has_digitised_inputs", "has_reused_document"],
        postgresql_where=sa.text("received_at IS NOT NULL"),
        sqlite_where=sa.text("received_at IS NOT NULL"),
    )
    op.create_index(
        "ix_dossiers_completed",
        "dossiers",
        ["current_unit_id", "completed_at"],
        postgresql_include=[
            "id",
            "procedure_code",
            "procedure_version",
            "outcome",
            "processing_minutes",
            "return_method",
            "has_result_document",
            "rating_overall",
            "rating_time",
            "rating_contacts",
            "rating_conduct",
        ],
        postgresql_where=sa.text("completed_at IS NOT NULL"),
        sqlite_where=sa.text("completed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_dossiers_open",
        "dossiers",
        ["current_unit_id", "due_at"],
        postgresql_include=["id", "procedure_code", "paused_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_dossier_steps_running",
        "dossier_steps",
        ["unit_id", "near_due_at"],
        postgresql_include=["due_at", "dossier_id"],
        postgresql_where=sa.text(OPEN_STEP),
        sqlite_where=sa.text(OPEN_STEP),
    )


def _backfill_times():
    """Existing completed dossiers and open steps get their figures from the working calendar."""
    bind = op.get_bind()
    completed = bind.execute(
        sa.text(
            "SELECT id, received_at, completed_at, paused_minutes FROM dossiers "
            "WHERE completed_at IS NOT NULL AND received_at IS NOT NULL"
        )
    ).all()
    steps = bind.execute(
        sa.text("SELECT id, started_at, due_at FROM dossier_steps WHERE finished_at IS NULL")
    ).all()
    if not completed and not steps:
        return
    from app.calendar.services import get_calendar
    from app.dossiers.models import NEAR_DUE_SHARE

    utc = app.core.db.UTCDateTime()
    dialect = bind.dialect

    def instant(value):
        return utc.process_result_value(value, dialect)

    calendar = get_calendar()
    for row in completed:
        minutes = calendar.working_minutes_between(instant(row.received_at), instant(row.completed_at))
        bind.execute(
            sa.text("UPDATE dossiers SET processing_minutes = :m WHERE id = :id"),
            {"m": max(minutes - row.paused_minutes, 0), "id": row.id},
        )
    for row in steps:
        at = calendar.near_due_after(instant(row.started_at), instant(row.due_at), NEAR_DUE_SHARE)
        bind.execute(
            sa.text("UPDATE dossier_steps SET near_due_at = :at WHERE id = :id"),
            {"at": utc.process_bind_param(at, dialect), "id": row.id},
        )


def downgrade():
    op.drop_index("ix_dossier_steps_running", table_name="dossier_steps")
    op.drop_index("ix_dossiers_open", table_name="dossiers")
    op.drop_index("ix_dossiers_completed", table_name="dossiers")
    op.drop_index("ix_dossiers_received", table_name="dossiers")
    with op.batch_alter_table("dossier_steps", schema=None) as batch_op:
        batch_op.drop_column("near_due_at")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        for column in (
            "rating_conduct",
            "rating_contacts",
            "rating_time",
            "rating_overall",
            "has_result_document",
            "has_reused_document",
            "has_digitised_inputs",
        ):
            batch_op.drop_column(column)
        batch_op.drop_column("processing_minutes")
