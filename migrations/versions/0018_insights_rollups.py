"""insights rollups: production per day/month and per agent-month, ledger per month,
kept in the same transaction as proposal writes and ledger appends (dashboards)

Revision ID: 0018_insights_rollups
Revises: 0016_import_hub_kinds
Created: 2026-11-30 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_insights_rollups"
down_revision = "0016_import_hub_kinds"
branch_labels = None
depends_on = None

DIMS = ("bank_code", "product", "agreement", "store_id", "team_id", "bucket")


def _dims() -> list[sa.Column]:
    return [
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=30), nullable=False),
        sa.Column("agreement", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
    ]


def _sums() -> list[sa.Column]:
    return [
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("gross_amount", sa.BigInteger(), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "insights_production_day",
        sa.Column("day", sa.Date(), nullable=False),
        *_dims(),
        *_sums(),
        sa.PrimaryKeyConstraint("day", *DIMS, name=op.f("pk_insights_production_day")),
    )
    op.create_table(
        "insights_production_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        *_dims(),
        *_sums(),
        sa.PrimaryKeyConstraint("month", *DIMS, name=op.f("pk_insights_production_month")),
    )
    op.create_table(
        "insights_agent_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        *_sums(),
        sa.PrimaryKeyConstraint(
            "month", "agent_id", "store_id", "team_id", "bucket", name=op.f("pk_insights_agent_month")
        ),
    )
    op.create_table(
        "insights_ledger_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=30), nullable=False),
        sa.Column("agreement", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "bank_code",
            "product",
            "agreement",
            "store_id",
            "team_id",
            "side",
            "kind",
            name=op.f("pk_insights_ledger_month"),
        ),
    )
    # Existing data: fill the rollups once (the app keeps them from here on).
    bind = op.get_bind()
    from sqlalchemy.orm import Session

    from portal.insights.rebuild import rebuild_all

    session = Session(bind=bind)
    rebuild_all(session)
    session.flush()


def downgrade() -> None:
    for table in (
        "insights_ledger_month",
        "insights_agent_month",
        "insights_production_month",
        "insights_production_day",
    ):
        op.drop_table(table)
