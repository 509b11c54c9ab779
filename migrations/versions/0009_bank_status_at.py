"""bank_status_at: the bank's moment of the last bank status applied to a proposal

Revision ID: 0009_bank_status_at
Revises: 0008_board_rollup
Created: 2026-12-01 09:00:00

Webhooks and polls can deliver a proposal's statuses out of order; the moment of the last
one applied lets an older report be recognised and ignored. Existing rows stay NULL (the
next report with a moment is applied and sets it).
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_bank_status_at'
down_revision = '0008_board_rollup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_status_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('bank_status_at')
