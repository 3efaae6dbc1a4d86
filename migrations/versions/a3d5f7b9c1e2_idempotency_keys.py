"""Idempotency keys: the first answer to a submission sent with a key, replayed to its repeats

Revision ID: a3d5f7b9c1e2
Revises: 8c2f4e6a9d13
Create Date: 2026-12-03 22:30:00

"""

from alembic import op
import sqlalchemy as sa

import app.core.db

# revision identifiers, used by Alembic.
revision = "a3d5f7b9c1e2"
down_revision = "8c2f4e6a9d13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "body", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        "ix_idempotency_keys_user_scope_key", "idempotency_keys", ["user_id", "scope", "key"], unique=True
    )


def downgrade():
    op.drop_index("ix_idempotency_keys_user_scope_key", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
