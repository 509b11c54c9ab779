"""auth_sessions_mfa: server-side sessions and TOTP for users

Revision ID: 0010_auth_sessions_mfa
Revises: 0009_bank_status_at
Created: 2026-12-02 09:00:00

`user_sessions` lets logout, password changes and deactivation end a session on the
server (a copied cookie stops working). Users gain an encrypted TOTP secret, the moment
MFA was enabled and the hashes of their unused recovery codes. Existing users keep
working: sessions issued before this revision are simply asked to sign in again.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_auth_sessions_mfa'
down_revision = '0009_bank_status_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    )
    op.create_index('ix_user_sessions_user_revoked', 'user_sessions', ['user_id', 'revoked_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('mfa_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mfa_recovery_codes', sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mfa_recovery_codes')
        batch_op.drop_column('mfa_enabled_at')
        batch_op.drop_column('mfa_secret')
    op.drop_index('ix_user_sessions_user_revoked', table_name='user_sessions')
    op.drop_table('user_sessions')
