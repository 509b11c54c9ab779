"""pipeline catalogue stamp: one row whose random token changes with every write to the
pendency types, SLA limits or their dated versions; the proposal page reads it with its
own statement and keeps the catalogue per process while the token is the same

Revision ID: 0026_pipeline_catalogue_stamp
Revises: 0025_board_rollups
Created: 2026-12-01 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_pipeline_catalogue_stamp"
down_revision = "0025_board_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "pipeline_catalogue_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_catalogue_stamp")),
    )
    op.bulk_insert(table, [{"id": 1, "token": 0}])


def downgrade() -> None:
    op.drop_table("pipeline_catalogue_stamp")
