"""Electronic identities (VNeID sign-in), authorisations of representatives, who an event was done for

Revision ID: b12a0001vnid
Revises: a11c0001org1
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "b12a0001vnid"
down_revision = "a11c0001org1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("tax_code", sa.String(length=14), nullable=True),
        sa.Column("representative_name", sa.String(length=255), nullable=True),
        sa.Column("representative_personal_id", sa.String(length=12), nullable=True),
        sa.Column("assurance_level", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('person', 'organisation')", name=op.f("ck_identities_kind_known")),
        sa.CheckConstraint(
            "(kind = 'person' AND personal_id IS NOT NULL) OR (kind = 'organisation' AND tax_code IS NOT NULL)",
            name=op.f("ck_identities_kind_has_number"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_identities_issuer_subject")),
        sa.UniqueConstraint("personal_id", name=op.f("uq_identities_personal_id")),
        sa.UniqueConstraint("tax_code", name=op.f("uq_identities_tax_code")),
        sa.UniqueConstraint("user_id", name=op.f("uq_identities_user_id")),
    )
    op.create_table(
        "authorisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("valid_from", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("principal_id <> representative_id", name=op.f("ck_authorisations_not_oneself")),
        sa.CheckConstraint("scope IN ('all', 'procedures')", name=op.f("ck_authorisations_scope_known")),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["users.id"], name=op.f("fk_authorisations_principal_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["representative_id"], ["users.id"], name=op.f("fk_authorisations_representative_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisations")),
    )
    op.create_index(op.f("ix_authorisations_principal_id"), "authorisations", ["principal_id"])
    op.create_index(
        "ix_authorisations_representative_principal", "authorisations", ["representative_id", "principal_id"]
    )
    op.create_table(
        "authorised_procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["authorisations.id"],
            name=op.f("fk_authorised_procedures_authorisation_id_authorisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorised_procedures")),
        sa.UniqueConstraint(
            "authorisation_id",
            "procedure_code",
            name=op.f("uq_authorised_procedures_authorisation_id_procedure_code"),
        ),
    )
    with op.batch_alter_table("dossier_events") as batch:
        batch.add_column(sa.Column("represented_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("represented_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("authorisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_dossier_events_represented_id_users", "users", ["represented_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_dossier_events_authorisation_id_authorisations",
            "authorisations",
            ["authorisation_id"],
            ["id"],
        )
        batch.create_index("ix_dossier_events_authorisation_id", ["authorisation_id"])
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("principal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_drafts_principal_id_users", "users", ["principal_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    with op.batch_alter_table("drafts") as batch:
        batch.drop_constraint("fk_drafts_principal_id_users", type_="foreignkey")
        batch.drop_column("principal_id")
    with op.batch_alter_table("dossier_events") as batch:
        batch.drop_index("ix_dossier_events_authorisation_id")
        batch.drop_constraint("fk_dossier_events_authorisation_id_authorisations", type_="foreignkey")
        batch.drop_constraint("fk_dossier_events_represented_id_users", type_="foreignkey")
        batch.drop_column("authorisation_id")
        batch.drop_column("represented_name")
        batch.drop_column("represented_id")
    op.drop_table("authorised_procedures")
    op.drop_index("ix_authorisations_representative_principal", table_name="authorisations")
    op.drop_index(op.f("ix_authorisations_principal_id"), table_name="authorisations")
    op.drop_table("authorisations")
    op.drop_table("identities")
