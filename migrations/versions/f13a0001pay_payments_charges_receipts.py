"""Money: fee lines fixed at receipt and financial obligations (charges), payments online through the
national payment platform or at the counter with their receipts, and the platform's messages

Revision ID: f13a0001pay
Revises: e11a0001ind
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy import Text

import app.core.db

revision = "f13a0001pay"
down_revision = "e11a0001ind"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("payer_name", sa.String(length=255), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("platform_transaction", sa.String(length=64), nullable=True),
        sa.Column("external_reference", sa.String(length=100), nullable=True),
        sa.Column("confirmed_by", sa.String(length=12), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt_number", sa.String(length=32), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("receipt_size", sa.BigInteger(), nullable=True),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=True),
        sa.Column("surplus", sa.BigInteger(), nullable=False),
        sa.Column("refunded_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded_by_id", sa.Integer(), nullable=True),
        sa.Column("refund_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(channel = 'online') = (method = 'platform')", name=op.f("ck_payments_online_through_platform")
        ),
        sa.CheckConstraint("channel IN ('online', 'counter')", name=op.f("ck_payments_channel_known")),
        sa.CheckConstraint(
            "method IN ('platform', 'cash', 'card', 'bank_transfer')", name=op.f("ck_payments_method_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'cancelled', 'expired', 'refunded')",
            name=op.f("ck_payments_status_known"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('paid', 'refunded') OR receipt_number IS NOT NULL",
            name=op.f("ck_payments_paid_has_receipt"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "surplus >= 0 AND surplus <= amount", name=op.f("ck_payments_surplus_within_amount")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_payments_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(["payer_id"], ["users.id"], name=op.f("fk_payments_payer_id_users")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_payments_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["refunded_by_id"], ["users.id"], name=op.f("fk_payments_refunded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_payments_receipt_number")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index(op.f("ix_payments_dossier_id"), "payments", ["dossier_id"], unique=False)
    op.create_index("ix_payments_paid_at", "payments", ["paid_at"], unique=False)
    op.create_index(
        "ix_payments_pending",
        "payments",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fee_key", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("payee", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("notice_name", sa.String(length=255), nullable=True),
        sa.Column("notice_size", sa.BigInteger(), nullable=True),
        sa.Column("notice_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("payable_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_by_id", sa.Integer(), nullable=True),
        sa.Column("notice_event_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind = 'obligation' OR status != 'draft'", name=op.f("ck_charges_only_obligations_drafted")
        ),
        sa.CheckConstraint("kind IN ('fee', 'obligation')", name=op.f("ck_charges_kind_known")),
        sa.CheckConstraint(
            "status IN ('draft', 'due', 'paid', 'cancelled')", name=op.f("ck_charges_status_known")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_charges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"], ["users.id"], name=op.f("fk_charges_cancelled_by_id_users")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_charges_created_by_id_users")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_charges_dossier_id_dossiers")),
        sa.ForeignKeyConstraint(
            ["notice_event_id"], ["dossier_events.id"], name=op.f("fk_charges_notice_event_id_dossier_events")
        ),
        sa.ForeignKeyConstraint(
            ["notified_by_id"], ["users.id"], name=op.f("fk_charges_notified_by_id_users")
        ),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_charges_payment_id_payments")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_charges_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
    )
    op.create_index(op.f("ix_charges_dossier_id"), "charges", ["dossier_id"], unique=False)
    op.create_index("ix_charges_unit_payable", "charges", ["unit_id", "payable_at"], unique=False)
    op.create_table(
        "payment_platform_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('confirmed', 'duplicate', 'not_paid', 'pending', 'bad_signature', 'bad_amount', 'bad_currency', 'unknown_order', 'malformed')",
            name=op.f("ck_payment_platform_messages_outcome_known"),
        ),
        sa.CheckConstraint(
            "source IN ('callback', 'query')", name=op.f("ck_payment_platform_messages_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_platform_messages_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_platform_messages")),
    )
    op.create_index(
        op.f("ix_payment_platform_messages_payment_id"),
        "payment_platform_messages",
        ["payment_id"],
        unique=False,
    )
    op.create_index(
        "ix_payment_platform_messages_received_at", "payment_platform_messages", ["received_at"], unique=False
    )
    op.create_table(
        "payment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_payment_items_charge_id_charges")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_items_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_items")),
        sa.UniqueConstraint("payment_id", "charge_id", name=op.f("uq_payment_items_payment_id_charge_id")),
    )
    op.create_index(op.f("ix_payment_items_charge_id"), "payment_items", ["charge_id"], unique=False)
    op.create_index(op.f("ix_payment_items_payment_id"), "payment_items", ["payment_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_payment_items_payment_id"), table_name="payment_items")
    op.drop_index(op.f("ix_payment_items_charge_id"), table_name="payment_items")
    op.drop_table("payment_items")
    op.drop_index("ix_payment_platform_messages_received_at", table_name="payment_platform_messages")
    op.drop_index(op.f("ix_payment_platform_messages_payment_id"), table_name="payment_platform_messages")
    op.drop_table("payment_platform_messages")
    op.drop_index("ix_charges_unit_payable", table_name="charges")
    op.drop_index(op.f("ix_charges_dossier_id"), table_name="charges")
    op.drop_table("charges")
    op.drop_index("ix_payments_pending", table_name="payments")
    op.drop_index("ix_payments_paid_at", table_name="payments")
    op.drop_index(op.f("ix_payments_dossier_id"), table_name="payments")
    op.drop_table("payments")
