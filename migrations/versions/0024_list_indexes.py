"""list indexes: the filtered proposals list by bank and status, newest first, reads
(bank_code, status, id) backwards and stops at the page's last row; it replaces the
(bank_code, status) index, of which it is an extension

Revision ID: 0024_list_indexes
Revises: 0023_insights_bank_rollups
Created: 2026-12-01 02:40:00
"""

from alembic import op

revision = "0024_list_indexes"
down_revision = "0023_insights_bank_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_proposals_bank_status_id", "proposals", ["bank_code", "status", "id"], unique=False)
    op.drop_index("ix_proposals_bank_status", table_name="proposals")


def downgrade() -> None:
    op.create_index("ix_proposals_bank_status", "proposals", ["bank_code", "status"], unique=False)
    op.drop_index("ix_proposals_bank_status_id", table_name="proposals")
