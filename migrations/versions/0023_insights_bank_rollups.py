"""insights bank-grain rollups: production per submission day or month × bank × bucket,
ledger per posting period × bank × side × kind, the grain the dashboard shows
company-wide (kept with the other rollups, filled from the finer rollups here)

Revision ID: 0023_insights_bank_rollups
Revises: 0022_admin_console
Created: 2026-12-01 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_insights_bank_rollups"
down_revision = "0022_admin_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for period, column, fine in (
        ("day", sa.Date(), "insights_production_day"),
        ("month", sa.String(length=7), "insights_production_month"),
    ):
        table = f"insights_production_{period}_bank"
        op.create_table(
            table,
            sa.Column(period, column, nullable=False),
            sa.Column("bank_code", sa.String(length=20), nullable=False),
            sa.Column("bucket", sa.String(length=10), nullable=False),
            sa.Column("proposals", sa.Integer(), nullable=False),
            sa.Column("gross_amount", sa.BigInteger(), nullable=False),
            sa.Column("net_amount", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(period, "bank_code", "bucket", name=op.f(f"pk_{table}")),
        )
        # Table and column names are the constants above, never input.
        op.execute(
            f"INSERT INTO {table} ({period}, bank_code, bucket, proposals, gross_amount, net_amount)"  # noqa: S608
            f" SELECT {period}, bank_code, bucket, sum(proposals), sum(gross_amount), sum(net_amount)"
            f" FROM {fine} GROUP BY {period}, bank_code, bucket"
        )
    op.create_table(
        "insights_ledger_month_bank",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "bank_code", "side", "kind", name=op.f("pk_insights_ledger_month_bank")
        ),
    )
    op.execute(
        "INSERT INTO insights_ledger_month_bank (month, bank_code, side, kind, entries, amount)"
        " SELECT month, bank_code, side, kind, sum(entries), sum(amount)"
        " FROM insights_ledger_month GROUP BY month, bank_code, side, kind"
    )


def downgrade() -> None:
    op.drop_table("insights_ledger_month_bank")
    op.drop_table("insights_production_month_bank")
    op.drop_table("insights_production_day_bank")
