"""Outbox rows per handler: each handler of a fact (official forms, notifications, sync) has a row
of its own, so one that fails retries alone

Revision ID: 5e1d0c7a3b21
Revises: 34b10416df63
Create Date: 2026-12-03 18:10:00

Facts already handled keep one row, handler "all". A fact not yet handled becomes one row per
handler its topic had when this revision was written, in the original order.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e1d0c7a3b21"
down_revision = "34b10416df63"
branch_labels = None
depends_on = None

HANDLERS = {
    "dossier.transitioned": ("sync", "official_forms", "notifications"),
    "dossier.submitted": ("sync",),
}


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("handler", sa.String(length=32), nullable=False, server_default="all"))
    for topic, (first, *others) in HANDLERS.items():
        for handler in others:
            op.execute(
                sa.text(
                    "INSERT INTO outbox_messages (topic, handler, dossier_id, payload, created_at, attempts) "
                    "SELECT topic, :handler, dossier_id, payload, created_at, 0 FROM outbox_messages "
                    "WHERE processed_at IS NULL AND handler = 'all' AND topic = :topic ORDER BY id"
                ).bindparams(handler=handler, topic=topic)
            )
        op.execute(
            sa.text(
                "UPDATE outbox_messages SET handler = :handler "
                "WHERE processed_at IS NULL AND handler = 'all' AND topic = :topic"
            ).bindparams(handler=first, topic=topic)
        )
    op.create_index(
        "ix_outbox_messages_lane_pending",
        "outbox_messages",
        ["dossier_id", "handler", "id"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_outbox_messages_lane_pending", table_name="outbox_messages")
    op.execute("DELETE FROM outbox_messages WHERE processed_at IS NULL AND handler NOT IN ('all', 'sync')")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("handler")
