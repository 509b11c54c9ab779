"""insights day-bank rollup: production per submission day × bank × bucket, the grain
the dashboard's day table shows company-wide (kept with the other rollups, filled from
the day rollup here)

Revision ID: 0023_insights_day_bank
Revises: 0022_admin_console
Created: 2026-12-01 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_insights_day_bank"
down_revision = "0022_admin_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights_production_day_bank",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("gross_amount", sa.BigInteger(), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "bank_code", "bucket", name=op.f("pk_insights_production_day_bank")),
    )
    op.execute(
        "INSERT INTO insights_production_day_bank (day, bank_code, bucket, proposals, gross_amount, net_amount)"
        " SELECT day, bank_code, bucket, sum(proposals), sum(gross_amount), sum(net_amount)"
        " FROM insights_production_day GROUP BY day, bank_code, bucket"
    )


def downgrade() -> None:
    op.drop_table("insights_production_day_bank")
