"""board rollup: proposals counted and summed per (status, day, agent, bank)

Revision ID: 0008_board_rollup
Revises: 0007_pipeline
Created: 2026-11-30 09:00:00

The upgrade fills the rollup from the proposals already there (same rule as
`portal.proposals.rollup.rebuild_rollup`, copied here so the migration never changes).
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_board_rollup'
down_revision = '0007_pipeline'
branch_labels = None
depends_on = None

# The finished statuses are bucketed by the UTC day of their last move; the others on
# 9999-12-31, after every real day (the board reads one primary-key range).
FILL = (
    "INSERT INTO proposal_status_rollup"
    " (day, status, agent_id, bank_code, proposals, gross_amount, needs_review)"
    " SELECT CASE WHEN status IN ('cancelled', 'paid', 'refused') THEN {day} ELSE {open_day} END,"
    " status, agent_id, bank_code, count(*), coalesce(sum(gross_amount), 0),"
    " coalesce(sum(CASE WHEN needs_review THEN 1 ELSE 0 END), 0)"
    " FROM proposals GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"  # what the board reads stays together
)


def upgrade() -> None:
    op.create_table('proposal_status_rollup',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('proposals', sa.Integer(), nullable=False),
    sa.Column('gross_amount', sa.BigInteger(), nullable=False),
    sa.Column('needs_review', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'status', 'agent_id', 'bank_code', name=op.f('pk_proposal_status_rollup'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('LOCK TABLE proposals IN SHARE MODE')
        op.execute(FILL.replace("{day}", "CAST(timezone('UTC', status_changed_at) AS DATE)").replace(
            "{open_day}", "DATE '9999-12-31'"))
    else:  # SQLite keeps the UTC wall time as text
        op.execute(FILL.replace("{day}", "date(status_changed_at)").replace("{open_day}", "'9999-12-31'"))


def downgrade() -> None:
    op.drop_table('proposal_status_rollup')
