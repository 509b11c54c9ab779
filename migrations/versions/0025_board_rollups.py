"""board rollups: the board's figures without the agent (status × bank × day) for the
users who see everything, and the open statuses' proposals per hour they entered it
(status × hour × bank) for the SLA counts

Revision ID: 0025_board_rollups
Revises: 0024_list_indexes
Created: 2026-12-01 03:00:00

The upgrade fills both from what is there (same rules as
`portal.proposals.rollup.rebuild_rollup`, written here so the migration never changes):
the agent-free rollup sums `proposal_status_rollup` over the agents; the hour buckets
group the proposals of every status but the finished ones (paid, refused, cancelled) by
bank and UTC hour, plus one row per status and hour over all banks (bank code "*").
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_board_rollups"
down_revision = "0024_list_indexes"
branch_labels = None
depends_on = None

FILL_BANK = (
    "INSERT INTO proposal_status_bank_rollup"
    " (day, status, bank_code, proposals, gross_amount, needs_review)"
    " SELECT day, status, bank_code, sum(proposals), sum(gross_amount), sum(needs_review)"
    " FROM proposal_status_rollup GROUP BY day, status, bank_code ORDER BY day, status, bank_code"
)
# Per bank, and over all banks under the bank code "*" (what the unfiltered board reads).
FILL_HOURS = (
    "INSERT INTO proposal_status_hours (status, bank_code, hour, proposals)"
    " SELECT status, {bank}, {hour}, count(*) FROM proposals"
    " WHERE status NOT IN ('cancelled', 'paid', 'refused')"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)


def upgrade() -> None:
    op.create_table(
        "proposal_status_bank_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("gross_amount", sa.BigInteger(), nullable=False),
        sa.Column("needs_review", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", "bank_code", name=op.f("pk_proposal_status_bank_rollup")),
    )
    op.create_table(
        "proposal_status_hours",
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "bank_code", "hour", name=op.f("pk_proposal_status_hours")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("LOCK TABLE proposals IN SHARE MODE")
        hour = "date_trunc('hour', status_changed_at, 'UTC')"
    else:  # SQLite keeps the UTC wall time as text
        hour = "strftime('%Y-%m-%d %H:00:00.000000', status_changed_at)"
    op.execute(FILL_BANK)
    for bank in ("bank_code", "'*'"):
        op.execute(FILL_HOURS.replace("{bank}", bank).replace("{hour}", hour))


def downgrade() -> None:
    op.drop_table("proposal_status_hours")
    op.drop_table("proposal_status_bank_rollup")
