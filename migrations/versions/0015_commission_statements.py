"""commission statements: one per payee per closed period (draft → approved → paid), their
lines copied from the ledger, and disputes on lines

Revision ID: 0015_commission_statements
Revises: 0014_reconciliation
Created: 2026-11-30 21:05:31.701161
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_commission_statements"
down_revision = "0014_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commission_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("payee", sa.String(length=254), nullable=False),
        sa.Column("collaborator_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("store_name", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lines_count", sa.Integer(), nullable=False),
        sa.Column("earned", sa.BigInteger(), nullable=False),
        sa.Column("overrides", sa.BigInteger(), nullable=False),
        sa.Column("bonuses", sa.BigInteger(), nullable=False),
        sa.Column("clawbacks", sa.BigInteger(), nullable=False),
        sa.Column("adjustments", sa.BigInteger(), nullable=False),
        sa.Column("carried_in", sa.BigInteger(), nullable=False),
        sa.Column("carried_out", sa.BigInteger(), nullable=False),
        sa.Column("payable", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_label", sa.String(length=200), nullable=True),
        sa.Column("pdf_path", sa.String(length=200), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_method", sa.String(length=10), nullable=True),
        sa.Column("payment_reference", sa.String(length=120), nullable=True),
        sa.Column("paid_by_label", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_commission_statements_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["collaborator_id"],
            ["collaborators.id"],
            name=op.f("fk_commission_statements_collaborator_id_collaborators"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_commission_statements_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["commission_periods.id"],
            name=op.f("fk_commission_statements_period_id_commission_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_statements")),
        sa.UniqueConstraint("period", "payee", name="uq_commission_statements_period_payee"),
    )
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_statements_collaborator", ["collaborator_id", "period"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index("ix_commission_statements_state_period", ["state", "period"], unique=False)

    op.create_table(
        "commission_statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=False),
        sa.Column("competence", sa.String(length=7), nullable=False),
        sa.Column("contract", sa.String(length=60), nullable=False),
        sa.Column("client_name", sa.String(length=120), nullable=False),
        sa.Column("client_cpf_masked", sa.String(length=20), nullable=False),
        sa.Column("bank_name", sa.String(length=120), nullable=False),
        sa.Column("product", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("kind_label", sa.String(length=60), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("percent", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["commission_ledger.id"],
            name=op.f("fk_commission_statement_lines_ledger_entry_id_commission_ledger"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["commission_statements.id"],
            name=op.f("fk_commission_statement_lines_statement_id_commission_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_statement_lines")),
    )
    with op.batch_alter_table("commission_statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_statement_lines_statement", ["statement_id", "line_no"], unique=False
        )

    op.create_table(
        "commission_statement_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_label", sa.String(length=200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.Column("resolved_by_label", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("adjustment_entry_id", sa.Integer(), nullable=True),
        sa.Column("adjustment_amount", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["adjustment_entry_id"],
            ["commission_ledger.id"],
            name=op.f("fk_commission_statement_disputes_adjustment_entry_id_commission_ledger"),
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["commission_statement_lines.id"],
            name=op.f("fk_commission_statement_disputes_line_id_commission_statement_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_commission_statement_disputes_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["commission_statements.id"],
            name=op.f("fk_commission_statement_disputes_statement_id_commission_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_statement_disputes")),
    )
    with op.batch_alter_table("commission_statement_disputes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_statement_disputes_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commission_statement_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_statement_disputes_statement_id"))

    op.drop_table("commission_statement_disputes")
    with op.batch_alter_table("commission_statement_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_statement_lines_statement")

    op.drop_table("commission_statement_lines")
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_statements_state_period")
        batch_op.drop_index(batch_op.f("ix_commission_statements_content_hash"))
        batch_op.drop_index("ix_commission_statements_collaborator")

    op.drop_table("commission_statements")
