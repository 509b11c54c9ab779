"""bank call log: one row per bank answer (lookups, simulations, status polls, webhooks),
read by the admin's system-health page for latency and error rate per bank

Revision ID: 0019_bank_call_log
Revises: 0018_insights_rollups
Created: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_bank_call_log"
down_revision = "0018_insights_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_call_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_call_log")),
    )
    op.create_index("ix_bank_call_log_bank_at", "bank_call_log", ["bank_code", "occurred_at"])
    op.create_index("ix_bank_call_log_kind_at", "bank_call_log", ["kind", "occurred_at"])
    op.create_index(op.f("ix_bank_call_log_occurred_at"), "bank_call_log", ["occurred_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bank_call_log_occurred_at"), table_name="bank_call_log")
    op.drop_index("ix_bank_call_log_kind_at", table_name="bank_call_log")
    op.drop_index("ix_bank_call_log_bank_at", table_name="bank_call_log")
    op.drop_table("bank_call_log")
