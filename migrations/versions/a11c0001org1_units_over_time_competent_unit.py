"""Units over time (validity, successors, service areas, area kind); a dossier's competent unit

Revision ID: a11c0001org1
Revises: e4b8d2f6a1c3
"""

import sqlalchemy as sa
from alembic import op

revision = "a11c0001org1"
down_revision = "e4b8d2f6a1c3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch.add_column(sa.Column("area", sa.String(length=16), nullable=True))
    op.create_table(
        "unit_successions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["predecessor_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["successor_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("predecessor_id", "successor_id"),
    )
    op.create_index("ix_unit_successions_predecessor_id", "unit_successions", ["predecessor_id"])
    op.create_index("ix_unit_successions_successor_id", "unit_successions", ["successor_id"])
    op.create_table(
        "unit_service_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["area_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "area_id"),
    )
    op.create_index("ix_unit_service_areas_provider_id", "unit_service_areas", ["provider_id"])
    op.create_index("ix_unit_service_areas_area_id", "unit_service_areas", ["area_id"])
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("competent_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("dispatch_reason", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("received_outside_area", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key("fk_dossiers_competent_unit_id_units", "units", ["competent_unit_id"], ["id"])
        batch.create_index("ix_dossiers_competent_unit_id", ["competent_unit_id"])


def downgrade():
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_index("ix_dossiers_competent_unit_id")
        batch.drop_constraint("fk_dossiers_competent_unit_id_units", type_="foreignkey")
        batch.drop_column("received_outside_area")
        batch.drop_column("dispatch_reason")
        batch.drop_column("competent_unit_id")
    op.drop_table("unit_service_areas")
    op.drop_table("unit_successions")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("area")
        batch.drop_column("valid_to")
        batch.drop_column("valid_from")
