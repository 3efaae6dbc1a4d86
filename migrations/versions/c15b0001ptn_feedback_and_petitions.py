"""Feedback and petitions (phản ánh, kiến nghị), their deadline setting; notifications about no dossier

Revision ID: c15b0001ptn
Revises: c15a0001srch
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "c15b0001ptn"
down_revision = "c15a0001srch"
branch_labels = None
depends_on = None

_OPEN = "answered_at IS NULL"
_PUBLIC = "is_public AND answered_at IS NOT NULL"


def upgrade():
    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("petitioner_id", sa.Integer(), nullable=True),
        sa.Column("is_anonymous", sa.Boolean(), nullable=False),
        sa.Column("petitioner_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("access_key_hash", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("routed_by", sa.String(length=16), nullable=False),
        sa.Column("forwarded_from_id", sa.Integer(), nullable=True),
        sa.Column("forward_note", sa.Text(), nullable=True),
        sa.Column("filed_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("due_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("public_summary", sa.Text(), nullable=True),
        sa.Column("public_search", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("answer_notification_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('feedback', 'petition')", name=op.f("ck_petitions_kind_known")),
        sa.CheckConstraint(
            "routed_by IN ('dossier_unit', 'chosen_unit', 'procedure_unit', 'fallback', 'forwarded')",
            name=op.f("ck_petitions_routed_by_known"),
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_petitions_rating_range")),
        sa.CheckConstraint(
            "(answered_at IS NULL) = (answer IS NULL)", name=op.f("ck_petitions_answer_with_time")
        ),
        sa.CheckConstraint(
            "NOT is_public OR public_summary IS NOT NULL", name=op.f("ck_petitions_public_has_summary")
        ),
        sa.CheckConstraint(
            "rating IS NULL OR answered_at IS NOT NULL", name=op.f("ck_petitions_rated_after_answer")
        ),
        sa.ForeignKeyConstraint(
            ["answer_notification_id"],
            ["notifications.id"],
            name=op.f("fk_petitions_answer_notification_id_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_petitions_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_petitions_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["forwarded_from_id"], ["units.id"], name=op.f("fk_petitions_forwarded_from_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["petitioner_id"], ["users.id"], name=op.f("fk_petitions_petitioner_id_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_petitions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
        sa.UniqueConstraint("code", name=op.f("uq_petitions_code")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petitions_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(
            "ix_petitions_queue",
            ["unit_id", "due_at", "id"],
            unique=False,
            postgresql_where=sa.text(_OPEN),
            sqlite_where=sa.text(_OPEN),
        )
        batch_op.create_index(
            "ix_petitions_answered",
            ["unit_id", "answered_at"],
            unique=False,
            postgresql_include=["due_at", "rating", "procedure_code"],
        )
        batch_op.create_index(
            "ix_petitions_public",
            ["answered_at", "id"],
            unique=False,
            postgresql_where=sa.text(_PUBLIC),
            sqlite_where=sa.text(_PUBLIC),
        )
        batch_op.create_index("ix_petitions_petitioner", ["petitioner_id", "id"], unique=False)

    op.create_table(
        "petition_deadlines",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "working_days BETWEEN 1 AND 90", name=op.f("ck_petition_deadlines_working_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_petition_deadlines_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_petition_deadlines")),
    )

    # A notification may be about no dossier: the answer to a petition about a procedure.
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("dossier_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.drop_table("petition_deadlines")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_petitioner")
        batch_op.drop_index("ix_petitions_public")
        batch_op.drop_index("ix_petitions_answered")
        batch_op.drop_index("ix_petitions_queue")
        batch_op.drop_index(batch_op.f("ix_petitions_dossier_id"))
    op.drop_table("petitions")
    op.execute("DELETE FROM notifications WHERE dossier_id IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("dossier_id", existing_type=sa.Integer(), nullable=False)
