"""banks: bank settings, regulatory parameters, webhook inbox, simulations

Revision ID: 0006_banks
Revises: 0005_proposals
Created: 2026-11-29 05:46:56.516076
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_banks'
down_revision = '0005_proposals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_webhook_events')),
    sa.UniqueConstraint('bank_code', 'event_id', name=op.f('uq_bank_webhook_events_bank_code_event_id'))
    )
    with op.batch_alter_table('bank_webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_webhook_events_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_webhook_events_received_at'), ['received_at'], unique=False)

    op.create_table('banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('capabilities', sa.String(length=200), nullable=False),
    sa.Column('credentials', sa.Text(), nullable=True),
    sa.Column('connect_timeout', sa.Float(), nullable=False),
    sa.Column('read_timeout', sa.Float(), nullable=False),
    sa.Column('breaker_threshold', sa.Integer(), nullable=False),
    sa.Column('breaker_cooldown_s', sa.Float(), nullable=False),
    sa.Column('webhook_secret', sa.Text(), nullable=True),
    sa.Column('under_liquidation', sa.Boolean(), nullable=False),
    sa.Column('file_only', sa.Boolean(), nullable=False),
    sa.Column('status_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_banks')),
    sa.UniqueConstraint('code', name=op.f('uq_banks_code'))
    )
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_banks_enabled'), ['enabled'], unique=False)

    op.create_table('regulatory_parameters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulatory_parameters')),
    sa.UniqueConstraint('name', 'valid_from', name=op.f('uq_regulatory_parameters_name_valid_from'))
    )
    with op.batch_alter_table('regulatory_parameters', schema=None) as batch_op:
        batch_op.create_index('ix_regulatory_parameters_name_period', ['name', 'valid_to'], unique=False)

    op.create_table('bank_simulations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('benefit_link_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=30), nullable=False),
    sa.Column('agreement', sa.String(length=40), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('requested_amount', sa.BigInteger(), nullable=True),
    sa.Column('installment', sa.BigInteger(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['benefit_link_id'], ['client_benefit_links.id'], name=op.f('fk_bank_simulations_benefit_link_id_client_benefit_links')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_bank_simulations_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bank_simulations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_simulations')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_bank_simulations_idempotency_key'))
    )
    with op.batch_alter_table('bank_simulations', schema=None) as batch_op:
        batch_op.create_index('ix_bank_simulations_client_created', ['client_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bank_simulations', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_simulations_client_created')

    op.drop_table('bank_simulations')
    with op.batch_alter_table('regulatory_parameters', schema=None) as batch_op:
        batch_op.drop_index('ix_regulatory_parameters_name_period')

    op.drop_table('regulatory_parameters')
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_banks_enabled'))

    op.drop_table('banks')
    with op.batch_alter_table('bank_webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_webhook_events_received_at'))
        batch_op.drop_index(batch_op.f('ix_bank_webhook_events_processed_at'))

    op.drop_table('bank_webhook_events')
