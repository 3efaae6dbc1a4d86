"""Monthly indicator reports: one PDF per unit and month

Revision ID: b7e3c1a94d20
Revises: c41d7e2a9b15
Create Date: 2026-11-27 14:30:00.000000

"""

from alembic import op
import sqlalchemy as sa
import app.core.db


# revision identifiers, used by Alembic.
revision = "b7e3c1a94d20"
down_revision = "c41d7e2a9b15"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ready_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'rendering', 'ready', 'failed')",
            name=op.f("ck_monthly_reports_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_monthly_reports_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_monthly_reports_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_reports")),
        sa.UniqueConstraint("unit_id", "month", name="uq_monthly_reports_unit_month"),
    )
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_index("ix_monthly_reports_month", ["month"], unique=False)


def downgrade():
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_reports_month")

    op.drop_table("monthly_reports")
