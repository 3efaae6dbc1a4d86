"""Safe sign-in: session versions, the staff second factor (TOTP secret, recovery codes), password
reset links, sign-ups confirmed by e-mail, and per-key sign-in failures instead of lock-outs

Revision ID: b12b0001totp
Revises: b12a0001vnid

`login_failures` (which locked a login name or a whole address) is replaced by `signin_failures`
(which slows one key down); its rows are only minutes old by design and are not carried over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "b12b0001totp"
down_revision = "b12a0001vnid"
branch_labels = None
depends_on = None

UTC = app.core.db.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", UTC, nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))

    with op.batch_alter_table("login_failures") as batch:
        batch.drop_index(batch.f("ix_login_failures_login"))
        batch.drop_index(batch.f("ix_login_failures_created_at"))
        batch.drop_index(batch.f("ix_login_failures_address"))
    op.drop_table("login_failures")

    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    with op.batch_alter_table("signin_failures") as batch:
        batch.create_index(batch.f("ix_signin_failures_key"), ["key"], unique=False)
        batch.create_index(batch.f("ix_signin_failures_created_at"), ["created_at"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes") as batch:
        batch.create_index(batch.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
    )
    with op.batch_alter_table("password_resets") as batch:
        batch.create_index(batch.f("ix_password_resets_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_password_resets_created_at"), ["created_at"], unique=False)

    op.create_table(
        "pending_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_signups")),
    )
    with op.batch_alter_table("pending_signups") as batch:
        batch.create_index(batch.f("ix_pending_signups_citizen_id"), ["citizen_id"], unique=False)
        batch.create_index(batch.f("ix_pending_signups_created_at"), ["created_at"], unique=False)


def downgrade():
    op.drop_table("pending_signups")
    op.drop_table("password_resets")
    op.drop_table("recovery_codes")
    op.drop_table("signin_failures")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch:
        batch.create_index(batch.f("ix_login_failures_address"), ["address"], unique=False)
        batch.create_index(batch.f("ix_login_failures_created_at"), ["created_at"], unique=False)
        batch.create_index(batch.f("ix_login_failures_login"), ["login"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("session_version")
