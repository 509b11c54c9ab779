"""people: org units, collaborators, memberships

Revision ID: 0002_people_org
Revises: 0001
Created: 2026-11-29 05:21:07.918275
"""

import sqlalchemy as sa
from alembic import op

revision = '0002_people_org'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('cnpj', sa.String(length=14), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('cnpj', name=op.f('uq_org_units_cnpj'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('collaborators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('cpf', sa.Text(), nullable=False),
    sa.Column('cpf_index', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('role_group', sa.String(length=20), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supervisor_id'], ['collaborators.id'], name=op.f('fk_collaborators_supervisor_id_collaborators')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_collaborators_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaborators')),
    sa.UniqueConstraint('cpf_index', name=op.f('uq_collaborators_cpf_index')),
    sa.UniqueConstraint('user_id', name=op.f('uq_collaborators_user_id'))
    )
    with op.batch_alter_table('collaborators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaborators_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborators_role_group'), ['role_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborators_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborators_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('org_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaborator_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['collaborator_id'], ['collaborators.id'], name=op.f('fk_org_memberships_collaborator_id_collaborators')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_org_memberships_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_memberships'))
    )
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_org_memberships_collaborator_period', ['collaborator_id', 'valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_memberships_org_unit_id'), ['org_unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_memberships_org_unit_id'))
        batch_op.drop_index('ix_org_memberships_collaborator_period')

    op.drop_table('org_memberships')
    with op.batch_alter_table('collaborators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaborators_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_collaborators_status'))
        batch_op.drop_index(batch_op.f('ix_collaborators_role_group'))
        batch_op.drop_index(batch_op.f('ix_collaborators_name'))

    op.drop_table('collaborators')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_org_units_kind'))

    op.drop_table('org_units')
