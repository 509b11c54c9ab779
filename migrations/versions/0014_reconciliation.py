"""reconciliation: per-bank rules, money received, links of unknown contracts,
acceptances and disputes; the ledger's `source` widened for 'reconciliation'

Revision ID: 0014_reconciliation
Revises: 0013_import_hub_bank_reports
Created: 2026-12-01 10:00:00

Widening `commission_ledger.source` on SQLite rebuilds the table (batch mode), which drops
its append-only triggers: they are created again right after, from migration 0012.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0014_reconciliation"
down_revision = "0013_import_hub_bank_reports"
branch_labels = None
depends_on = None

# The trigger helpers of the ledger's migration (its file name is not an importable module).
_spec = importlib.util.spec_from_file_location(
    "_ledger_0012", Path(__file__).with_name("0012_commissions_ledger.py")
)
_ledger_migration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ledger_migration)


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("bank_code", sa.String(20), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("contract", sa.String(60), nullable=False),
        sa.Column("component", sa.String(20), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
    ]


def _widen_source(length: int) -> None:
    old = sa.String(10 if length == 20 else 20)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "commission_ledger", "source", type_=sa.String(length), existing_type=old, existing_nullable=False
        )
        return
    _ledger_migration._drop_append_only_triggers()
    with op.batch_alter_table("commission_ledger", recreate="always") as batch:
        batch.alter_column("source", type_=sa.String(length), existing_type=old, existing_nullable=False)
    _ledger_migration._append_only_triggers()


def upgrade() -> None:
    _widen_source(20)
    op.create_table(
        "recon_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank_code", sa.String(20), nullable=False, unique=True),
        sa.Column("tolerance", sa.BigInteger(), nullable=False),
        sa.Column("missing_after_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_label", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "recon_received",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank_code", sa.String(20), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("memo", sa.String(300), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("natural_key", sa.String(64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_by_label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_code", "natural_key", name="uq_recon_received_bank_key"),
    )
    op.create_index("ix_recon_received_bank_period", "recon_received", ["bank_code", "period"])
    op.create_table(
        "recon_contract_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank_code", sa.String(20), nullable=False),
        sa.Column("reported_contract", sa.String(60), nullable=False),
        sa.Column("contract", sa.String(60), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_by_label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_code", "reported_contract", name="uq_recon_links_bank_reported"),
    )
    op.create_table(
        "recon_acceptances",
        *_key_columns(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), sa.ForeignKey("commission_ledger.id"), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_by_label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recon_acceptances_bank_period", "recon_acceptances", ["bank_code", "period"])
    op.create_table(
        "recon_disputes",
        *_key_columns(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("difference", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("protocol", sa.String(60), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("opened_by_label", sa.String(200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_outcome", sa.String(20), nullable=True),
        sa.Column("closed_note", sa.String(500), nullable=True),
        sa.Column("closed_by_label", sa.String(200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_recon_disputes_bank_period", "recon_disputes", ["bank_code", "period"])


def downgrade() -> None:
    op.drop_index("ix_recon_disputes_bank_period", table_name="recon_disputes")
    op.drop_table("recon_disputes")
    op.drop_index("ix_recon_acceptances_bank_period", table_name="recon_acceptances")
    op.drop_table("recon_acceptances")
    op.drop_table("recon_contract_links")
    op.drop_index("ix_recon_received_bank_period", table_name="recon_received")
    op.drop_table("recon_received")
    op.drop_table("recon_rules")
    _widen_source(10)
