"""Tamper-evident dossier history (event hash chains, signed anchors, verification runs) and the
log of access to dossiers by others than their applicants

Revision ID: e4b8d2f6a1c3
Revises: a3d5f7b9c1e2
Create Date: 2026-12-04 09:00:00

Events already recorded are sealed here, dossier by dossier in id order (the order they were
written): each gets its place in its dossier's history (seq 1, 2, ...), the hash of the event before
it (a fixed genesis value for the first) and its own hash, exactly as the engine computes them
(app.audit.chain). Read and written in batches of dossiers, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = "e4b8d2f6a1c3"
down_revision = "a3d5f7b9c1e2"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
BATCH = 500  # dossiers


def upgrade():
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("dossier_count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("previous_signature", sa.String(length=64), nullable=True),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["audit_anchors.id"], name=op.f("fk_audit_anchors_previous_id_audit_anchors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
        sa.UniqueConstraint("previous_id", name=op.f("uq_audit_anchors_previous_id")),
    )
    op.create_table(
        "audit_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dossier_code", sa.String(length=40), nullable=True),
        sa.Column("total_events", sa.Integer(), nullable=False),
        sa.Column("events_checked", sa.Integer(), nullable=False),
        sa.Column("dossiers_checked", sa.Integer(), nullable=False),
        sa.Column("anchors_checked", sa.Integer(), nullable=False),
        sa.Column("problem_kind", sa.String(length=32), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("broken_dossier_code", sa.String(length=40), nullable=True),
        sa.Column("broken_event_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_audit_verifications_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verifications")),
    )
    op.create_table(
        "dossier_accesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("item_name", sa.String(length=255), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dossier_documents.id"],
            name=op.f("fk_dossier_accesses_document_id_dossier_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_accesses_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["issued_forms.id"],
            name=op.f("fk_dossier_accesses_form_id_issued_forms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_dossier_accesses_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_dossier_accesses_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_accesses")),
    )
    with op.batch_alter_table("dossier_accesses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_accesses_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_dossier_accesses_dossier_at", ["dossier_id", "created_at"], unique=False)
        batch_op.create_index("ix_dossier_accesses_user_at", ["user_id", "created_at"], unique=False)

    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _seal_events()
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_dossier_events_dossier_id_seq"), ["dossier_id", "seq"]
        )


def downgrade():
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_dossier_events_dossier_id_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    with op.batch_alter_table("dossier_accesses", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_accesses_user_at")
        batch_op.drop_index("ix_dossier_accesses_dossier_at")
        batch_op.drop_index(batch_op.f("ix_dossier_accesses_created_at"))

    op.drop_table("dossier_accesses")
    op.drop_table("audit_verifications")
    op.drop_table("audit_anchors")


# --- sealing the events already recorded ------------------------------------------------------------


def _seal_events() -> None:
    from app.audit.chain import FIELDS, GENESIS, event_hash

    bind = op.get_bind()
    events = sa.table(
        "dossier_events",
        sa.column("id", sa.Integer),
        sa.column("dossier_id", sa.Integer),
        sa.column("created_at", app.core.db.UTCDateTime()),
        sa.column("payload", JSON),
        sa.column("snapshot", JSON),
        *(sa.column(name) for name in FIELDS),
    )
    dossiers = sa.table("dossiers", sa.column("id", sa.Integer), sa.column("code", sa.String))
    update = sa.text(
        "UPDATE dossier_events SET seq = :seq, prev_hash = :prev_hash, hash = :hash WHERE id = :id"
    )
    after = 0
    while True:
        batch = bind.execute(
            sa.select(dossiers.c.id, dossiers.c.code)
            .where(dossiers.c.id > after)
            .order_by(dossiers.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        codes = dict(batch)
        rows = bind.execute(
            sa.select(events)
            .where(events.c.dossier_id > after, events.c.dossier_id <= batch[-1].id)
            .order_by(events.c.dossier_id, events.c.id)
        ).all()
        sealed, last = [], {}
        for row in rows:
            seq, prev_hash = last.get(row.dossier_id, (0, GENESIS))
            seq += 1
            digest = event_hash(
                dossier_code=codes[row.dossier_id],
                seq=seq,
                created_at=row.created_at,
                payload=row.payload,
                snapshot=row.snapshot,
                prev_hash=prev_hash,
                **{name: getattr(row, name) for name in FIELDS},
            )
            sealed.append({"id": row.id, "seq": seq, "prev_hash": prev_hash, "hash": digest})
            last[row.dossier_id] = (seq, digest)
        if sealed:
            bind.execute(update, sealed)
        after = batch[-1].id
