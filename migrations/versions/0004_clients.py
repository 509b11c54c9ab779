"""clients: registry, benefit links, consents, timeline

Revision ID: 0004_clients
Revises: 0003_jobs
Created: 2026-11-29 05:27:07.673216
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_clients'
down_revision = '0003_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('cpf', sa.Text(), nullable=True),
    sa.Column('cpf_index', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_search', sa.String(length=120), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('phone_alt', sa.Text(), nullable=True),
    sa.Column('phone_alt_index', sa.String(length=64), nullable=True),
    sa.Column('cep', sa.String(length=8), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('complement', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('provenance', sa.String(length=20), nullable=False),
    sa.Column('provenance_detail', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pseudonym', sa.String(length=16), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retention_flagged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['collaborators.id'], name=op.f('fk_clients_owner_id_collaborators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('cpf_index', name=op.f('uq_clients_cpf_index')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_clients_pseudonym'))
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_last_activity_at'), ['last_activity_at'], unique=False)
        batch_op.create_index('ix_clients_name_order', ['name_search', 'id'], unique=False)
        batch_op.create_index('ix_clients_owner_name', ['owner_id', 'name_search', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_phone_alt_index'), ['phone_alt_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_retention_flagged_at'), ['retention_flagged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_status'), ['status'], unique=False)

    op.create_table('client_benefit_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('agreement', sa.String(length=40), nullable=False),
    sa.Column('benefit_number', sa.Text(), nullable=True),
    sa.Column('benefit_index', sa.String(length=64), nullable=True),
    sa.Column('benefit_kind', sa.String(length=60), nullable=True),
    sa.Column('monthly_income', sa.BigInteger(), nullable=True),
    sa.Column('payout_bank', sa.String(length=3), nullable=True),
    sa.Column('payout_agency', sa.String(length=10), nullable=True),
    sa.Column('payout_account', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_benefit_links_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_benefit_links'))
    )
    with op.batch_alter_table('client_benefit_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_benefit_links_benefit_index'), ['benefit_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_benefit_links_client_id'), ['client_id'], unique=False)

    op.create_table('client_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('legal_basis', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_path', sa.String(length=200), nullable=True),
    sa.Column('evidence_filename', sa.String(length=200), nullable=True),
    sa.Column('evidence_mime', sa.String(length=50), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_consents_client_id_clients')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_client_consents_granted_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_client_consents_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_consents'))
    )
    with op.batch_alter_table('client_consents', schema=None) as batch_op:
        batch_op.create_index('ix_client_consents_client_purpose', ['client_id', 'purpose'], unique=False)

    op.create_table('client_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_client_events_actor_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_events_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_events'))
    )
    with op.batch_alter_table('client_events', schema=None) as batch_op:
        batch_op.create_index('ix_client_events_client_time', ['client_id', 'occurred_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('client_events', schema=None) as batch_op:
        batch_op.drop_index('ix_client_events_client_time')

    op.drop_table('client_events')
    with op.batch_alter_table('client_consents', schema=None) as batch_op:
        batch_op.drop_index('ix_client_consents_client_purpose')

    op.drop_table('client_consents')
    with op.batch_alter_table('client_benefit_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_benefit_links_client_id'))
        batch_op.drop_index(batch_op.f('ix_client_benefit_links_benefit_index'))

    op.drop_table('client_benefit_links')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_status'))
        batch_op.drop_index(batch_op.f('ix_clients_retention_flagged_at'))
        batch_op.drop_index(batch_op.f('ix_clients_phone_index'))
        batch_op.drop_index(batch_op.f('ix_clients_phone_alt_index'))
        batch_op.drop_index('ix_clients_owner_name')
        batch_op.drop_index('ix_clients_name_order')
        batch_op.drop_index(batch_op.f('ix_clients_last_activity_at'))

    op.drop_table('clients')
