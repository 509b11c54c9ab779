"""recon indexes: the reconciliation of one period reads the company's ledger lines by
competence from the index alone (partial, covering: a period's rows are spread over the
whole table) and the bank report lines by date (any bank)

Revision ID: 0027_recon_indexes
Revises: 0026_pipeline_catalogue_stamp
Created: 2026-12-01 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_recon_indexes"
down_revision = "0026_pipeline_catalogue_stamp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_commission_ledger_company_competence",
        "commission_ledger",
        ["competence", "bank_code", "contract", "kind"],
        unique=False,
        postgresql_include=["amount", "source"],
        postgresql_where=sa.text("payee = 'empresa'"),
        sqlite_where=sa.text("payee = 'empresa'"),
    )
    op.create_index("ix_bank_report_lines_line_date", "bank_report_lines", ["line_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_bank_report_lines_line_date", table_name="bank_report_lines")
    op.drop_index("ix_commission_ledger_company_competence", table_name="commission_ledger")
