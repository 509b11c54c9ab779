"""commissions: bank table versions and rows, plans, override rates, periods, snapshots,
the append-only ledger and each proposal's frozen table reference

Revision ID: 0012_commissions_ledger
Revises: 0011_pendency_type_name_key
Created: 2026-11-30 20:26:14

The ledger is append-only: a trigger refuses UPDATE and DELETE on PostgreSQL (plpgsql)
and on SQLite (RAISE(ABORT)). The two regulatory upfront caps (6 % / 3 % for
portability, Res. CMN 4.935/2021) are seeded like the other regulatory parameters.
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

APPEND_ONLY_MESSAGE = "commission_ledger is append-only: post a correcting entry instead"
CAPS = [
    ("commission_upfront_cap_pct", 6),
    ("commission_upfront_cap_portability_pct", 3),
]


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION commission_ledger_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER commission_ledger_no_change BEFORE UPDATE OR DELETE ON commission_ledger "
            "FOR EACH ROW EXECUTE FUNCTION commission_ledger_append_only()"
        )
        # TRUNCATE bypasses row triggers; refuse it too.
        op.execute(
            "CREATE TRIGGER commission_ledger_no_truncate BEFORE TRUNCATE ON commission_ledger "
            "FOR EACH STATEMENT EXECUTE FUNCTION commission_ledger_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER commission_ledger_no_{event.lower()} BEFORE {event} ON commission_ledger "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS commission_ledger_no_change ON commission_ledger")
        op.execute("DROP TRIGGER IF EXISTS commission_ledger_no_truncate ON commission_ledger")
        op.execute("DROP FUNCTION IF EXISTS commission_ledger_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS commission_ledger_no_update")
        op.execute("DROP TRIGGER IF EXISTS commission_ledger_no_delete")


def _seed_caps() -> None:
    params = sa.table(
        "regulatory_parameters",
        sa.column("name", sa.String),
        sa.column("value", sa.BigInteger),
        sa.column("valid_from", sa.Date),
        sa.column("valid_to", sa.Date),
        sa.column("note", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("created_by", sa.String),
    )
    bind = op.get_bind()
    for name, percent in CAPS:
        if bind.execute(sa.select(params.c.name).where(params.c.name == name)).first() is None:
            op.execute(
                params.insert().values(
                    name=name,
                    value=percent * 1_000_000,  # Rate: millionths of a point
                    valid_from=date(2022, 1, 3),
                    valid_to=None,
                    note="Valor inicial (Res. CMN 4.935/2021)",
                    created_at=datetime.now(UTC),
                    created_by="migração",
                )
            )


revision = '0012_commissions_ledger'
down_revision = '0011_pendency_type_name_key'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commission_override_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.BigInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_by_label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_override_rates'))
    )
    with op.batch_alter_table('commission_override_rates', schema=None) as batch_op:
        batch_op.create_index('ix_commission_override_rates_level_from', ['level', 'valid_from'], unique=False)

    op.create_table('commission_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_label', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_commission_periods_closed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_periods')),
    sa.UniqueConstraint('period', name=op.f('uq_commission_periods_period'))
    )
    op.create_table('commission_table_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_label', sa.String(length=200), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_commission_table_versions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commission_table_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['commission_table_versions.id'], name=op.f('fk_commission_table_versions_supersedes_id_commission_table_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_table_versions')),
    sa.UniqueConstraint('bank_code', 'number', name='uq_commission_table_versions_bank_number')
    )
    with op.batch_alter_table('commission_table_versions', schema=None) as batch_op:
        batch_op.create_index('ix_commission_table_versions_bank_state', ['bank_code', 'state'], unique=False)

    op.create_table('commission_period_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('payee', sa.String(length=254), nullable=False),
    sa.Column('collaborator_id', sa.Integer(), nullable=True),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('credits', sa.BigInteger(), nullable=False),
    sa.Column('debits', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('carried', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['collaborator_id'], ['collaborators.id'], name=op.f('fk_commission_period_snapshots_collaborator_id_collaborators')),
    sa.ForeignKeyConstraint(['period_id'], ['commission_periods.id'], name=op.f('fk_commission_period_snapshots_period_id_commission_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_period_snapshots')),
    sa.UniqueConstraint('period_id', 'payee', name='uq_commission_period_snapshots_payee')
    )
    with op.batch_alter_table('commission_period_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_period_snapshots_collaborator_id'), ['collaborator_id'], unique=False)

    op.create_table('commission_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaborator_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.BigInteger(), nullable=False),
    sa.Column('tier_mode', sa.String(length=20), nullable=False),
    sa.Column('created_by_label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(collaborator_id IS NULL) <> (org_unit_id IS NULL)', name=op.f('ck_commission_plans_one_payee')),
    sa.ForeignKeyConstraint(['collaborator_id'], ['collaborators.id'], name=op.f('fk_commission_plans_collaborator_id_collaborators')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_commission_plans_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_plans'))
    )
    with op.batch_alter_table('commission_plans', schema=None) as batch_op:
        batch_op.create_index('ix_commission_plans_collaborator_from', ['collaborator_id', 'valid_from'], unique=False)
        batch_op.create_index('ix_commission_plans_org_unit_from', ['org_unit_id', 'valid_from'], unique=False)

    op.create_table('commission_table_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=30), nullable=False),
    sa.Column('agreement', sa.String(length=40), nullable=False),
    sa.Column('table_code', sa.String(length=40), nullable=False),
    sa.Column('term_from', sa.Integer(), nullable=False),
    sa.Column('term_to', sa.Integer(), nullable=False),
    sa.Column('rate_from', sa.BigInteger(), nullable=False),
    sa.Column('rate_to', sa.BigInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('base', sa.String(length=20), nullable=False),
    sa.Column('flat', sa.BigInteger(), nullable=False),
    sa.Column('deferred', sa.BigInteger(), nullable=False),
    sa.Column('deferred_months', sa.Integer(), nullable=False),
    sa.Column('bonus', sa.BigInteger(), nullable=False),
    sa.Column('fixed', sa.BigInteger(), nullable=False),
    sa.Column('clawback_days', sa.Integer(), nullable=False),
    sa.Column('clawback_rule', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['commission_table_versions.id'], name=op.f('fk_commission_table_rows_version_id_commission_table_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_table_rows')),
    sa.UniqueConstraint('version_id', 'line_no', name='uq_commission_table_rows_version_line')
    )
    with op.batch_alter_table('commission_table_rows', schema=None) as batch_op:
        batch_op.create_index('ix_commission_table_rows_version_product', ['version_id', 'product'], unique=False)

    op.create_table('commission_plan_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.BigInteger(), nullable=False),
    sa.Column('percent', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['commission_plans.id'], name=op.f('fk_commission_plan_tiers_plan_id_commission_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_plan_tiers'))
    )
    with op.batch_alter_table('commission_plan_tiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_plan_tiers_plan_id'), ['plan_id'], unique=False)

    op.create_table('commission_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=32), nullable=False),
    sa.Column('contract', sa.String(length=60), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('payee', sa.String(length=254), nullable=False),
    sa.Column('collaborator_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=True),
    sa.Column('competence', sa.String(length=7), nullable=False),
    sa.Column('posting_period', sa.String(length=7), nullable=False),
    sa.Column('prior_period', sa.Boolean(), nullable=False),
    sa.Column('base', sa.BigInteger(), nullable=False),
    sa.Column('percent', sa.BigInteger(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('explanation', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=200), nullable=False),
    sa.Column('table_version_id', sa.Integer(), nullable=True),
    sa.Column('table_row_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_commission_ledger_author_id_users')),
    sa.ForeignKeyConstraint(['collaborator_id'], ['collaborators.id'], name=op.f('fk_commission_ledger_collaborator_id_collaborators')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_commission_ledger_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_commission_ledger_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['table_row_id'], ['commission_table_rows.id'], name=op.f('fk_commission_ledger_table_row_id_commission_table_rows')),
    sa.ForeignKeyConstraint(['table_version_id'], ['commission_table_versions.id'], name=op.f('fk_commission_ledger_table_version_id_commission_table_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_ledger'))
    )
    with op.batch_alter_table('commission_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_commission_ledger_bank_posting', ['bank_code', 'posting_period'], unique=False)
        batch_op.create_index('ix_commission_ledger_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_commission_ledger_collaborator_id', ['collaborator_id', 'id'], unique=False)
        batch_op.create_index('ix_commission_ledger_contract_id', ['contract', 'id'], unique=False)
        batch_op.create_index('ix_commission_ledger_kind_posting', ['kind', 'posting_period'], unique=False)
        batch_op.create_index('ix_commission_ledger_payee_posting', ['payee', 'posting_period'], unique=False)
        batch_op.create_index('ix_commission_ledger_posting_id', ['posting_period', 'id'], unique=False)
        batch_op.create_index('ix_commission_ledger_proposal_id', ['proposal_id'], unique=False)

    op.create_table('commission_proposal_refs',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('table_version_id', sa.Integer(), nullable=True),
    sa.Column('table_row_id', sa.Integer(), nullable=True),
    sa.Column('problem', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_commission_proposal_refs_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['table_row_id'], ['commission_table_rows.id'], name=op.f('fk_commission_proposal_refs_table_row_id_commission_table_rows')),
    sa.ForeignKeyConstraint(['table_version_id'], ['commission_table_versions.id'], name=op.f('fk_commission_proposal_refs_table_version_id_commission_table_versions')),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_commission_proposal_refs'))
    )
    with op.batch_alter_table('commission_proposal_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_proposal_refs_problem'), ['problem'], unique=False)

    _append_only_triggers()
    _seed_caps()


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM regulatory_parameters WHERE name IN (:a, :b)").bindparams(
            a=CAPS[0][0], b=CAPS[1][0]
        )
    )
    _drop_append_only_triggers()
    with op.batch_alter_table('commission_proposal_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_proposal_refs_problem'))

    op.drop_table('commission_proposal_refs')
    with op.batch_alter_table('commission_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_ledger_proposal_id')
        batch_op.drop_index('ix_commission_ledger_posting_id')
        batch_op.drop_index('ix_commission_ledger_payee_posting')
        batch_op.drop_index('ix_commission_ledger_kind_posting')
        batch_op.drop_index('ix_commission_ledger_contract_id')
        batch_op.drop_index('ix_commission_ledger_collaborator_id')
        batch_op.drop_index('ix_commission_ledger_batch')
        batch_op.drop_index('ix_commission_ledger_bank_posting')

    op.drop_table('commission_ledger')
    with op.batch_alter_table('commission_plan_tiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_plan_tiers_plan_id'))

    op.drop_table('commission_plan_tiers')
    with op.batch_alter_table('commission_table_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_table_rows_version_product')

    op.drop_table('commission_table_rows')
    with op.batch_alter_table('commission_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_plans_org_unit_from')
        batch_op.drop_index('ix_commission_plans_collaborator_from')

    op.drop_table('commission_plans')
    with op.batch_alter_table('commission_period_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_period_snapshots_collaborator_id'))

    op.drop_table('commission_period_snapshots')
    with op.batch_alter_table('commission_table_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_table_versions_bank_state')

    op.drop_table('commission_table_versions')
    op.drop_table('commission_periods')
    with op.batch_alter_table('commission_override_rates', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_override_rates_level_from')

    op.drop_table('commission_override_rates')
