"""recon indexes: the reconciliation of one period reads the ledger by competence and the
bank report lines by date (any bank); without these both were read in full at every view

Revision ID: 0026_recon_indexes
Revises: 0025_board_rollups
Created: 2026-12-01 03:40:00
"""

from alembic import op

revision = "0026_recon_indexes"
down_revision = "0025_board_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_commission_ledger_competence_bank", "commission_ledger", ["competence", "bank_code"], unique=False
    )
    op.create_index("ix_bank_report_lines_line_date", "bank_report_lines", ["line_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_bank_report_lines_line_date", table_name="bank_report_lines")
    op.drop_index("ix_commission_ledger_competence_bank", table_name="commission_ledger")
