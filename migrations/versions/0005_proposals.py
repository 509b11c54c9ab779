"""proposals core: proposals, events, bank status mappings

Revision ID: 0005_proposals
Revises: 0004_clients
Created: 2026-11-29 05:29:45.538361
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_proposals'
down_revision = '0004_clients'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_status_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('bank_status', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('sub_status', sa.String(length=80), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_status_mappings')),
    sa.UniqueConstraint('bank_code', 'bank_status', name='uq_bank_status_mappings_bank_status')
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('sub_correspondent_id', sa.Integer(), nullable=True),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('product', sa.String(length=30), nullable=False),
    sa.Column('agreement', sa.String(length=40), nullable=False),
    sa.Column('rate_table_code', sa.String(length=40), nullable=True),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('monthly_rate', sa.BigInteger(), nullable=True),
    sa.Column('installment', sa.BigInteger(), nullable=True),
    sa.Column('gross_amount', sa.BigInteger(), nullable=False),
    sa.Column('net_amount', sa.BigInteger(), nullable=True),
    sa.Column('cash_out', sa.BigInteger(), nullable=True),
    sa.Column('insurance', sa.BigInteger(), nullable=True),
    sa.Column('bank_proposal_number', sa.String(length=60), nullable=True),
    sa.Column('contract_number', sa.String(length=60), nullable=True),
    sa.Column('signing_link', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('sub_status', sa.String(length=80), nullable=True),
    sa.Column('sub_status_by_human', sa.Boolean(), nullable=False),
    sa.Column('bank_status', sa.String(length=120), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('endorsed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['collaborators.id'], name=op.f('fk_proposals_agent_id_collaborators')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_proposals_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposals_created_by_id_users')),
    sa.ForeignKeyConstraint(['store_id'], ['org_units.id'], name=op.f('fk_proposals_store_id_org_units')),
    sa.ForeignKeyConstraint(['sub_correspondent_id'], ['org_units.id'], name=op.f('fk_proposals_sub_correspondent_id_org_units')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['collaborators.id'], name=op.f('fk_proposals_submitted_by_id_collaborators')),
    sa.ForeignKeyConstraint(['team_id'], ['org_units.id'], name=op.f('fk_proposals_team_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('bank_code', 'bank_proposal_number', name='uq_proposals_bank_number'),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_proposals_idempotency_key'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_agent_id_id', ['agent_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_agreement'), ['agreement'], unique=False)
        batch_op.create_index('ix_proposals_bank_status', ['bank_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_contract_number'), ['contract_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_needs_review'), ['needs_review'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_paid_at'), ['paid_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_product'), ['product'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_status_changed_at'), ['status_changed_at'], unique=False)
        batch_op.create_index('ix_proposals_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_store_id'), ['store_id'], unique=False)
        batch_op.create_index('ix_proposals_submitted_at_id', ['submitted_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_team_id'), ['team_id'], unique=False)

    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('bank_status', sa.String(length=120), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proposal_events_actor_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_events_proposal_id_id', ['proposal_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_events_proposal_id_id')

    op.drop_table('proposal_events')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_team_id'))
        batch_op.drop_index('ix_proposals_submitted_at_id')
        batch_op.drop_index(batch_op.f('ix_proposals_store_id'))
        batch_op.drop_index('ix_proposals_status_id')
        batch_op.drop_index(batch_op.f('ix_proposals_status_changed_at'))
        batch_op.drop_index(batch_op.f('ix_proposals_product'))
        batch_op.drop_index(batch_op.f('ix_proposals_paid_at'))
        batch_op.drop_index(batch_op.f('ix_proposals_needs_review'))
        batch_op.drop_index(batch_op.f('ix_proposals_contract_number'))
        batch_op.drop_index(batch_op.f('ix_proposals_client_id'))
        batch_op.drop_index('ix_proposals_bank_status')
        batch_op.drop_index(batch_op.f('ix_proposals_agreement'))
        batch_op.drop_index('ix_proposals_agent_id_id')

    op.drop_table('proposals')
    op.drop_table('bank_status_mappings')
