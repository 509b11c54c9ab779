"""pipeline: pendencies, documents, SLA limits, imports

Revision ID: 0007_pipeline
Revises: 0006_banks
Created: 2026-11-29 05:34:07.207964
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# The starting catalogue (docs/domain.md, "Proposal statuses") and SLA limits in hours;
# operations edit both afterwards. Copied here so the migration never changes.
PENDENCY_TYPES = [
    "Biometria pendente",
    "Comparecer ao INSS",
    "Benefício bloqueado",
    "Dados divergentes da Receita",
    "Margem excedida",
    "Conta de pagamento incorreta",
    "CPF inválido",
    "Termo de autorização não assinado",
    "Cliente não localizado",
    "Desistência do cliente",
    "Documentos físicos aguardados",
]
SLA_HOURS = {
    "submission_unconfirmed": 4,
    "submitted": 24,
    "waiting_signature": 72,
    "signed": 24,
    "under_analysis": 48,
    "pending": 48,
    "awaiting_cip": 120,
    "balance_returned": 48,
    "awaiting_balance_payment": 48,
    "awaiting_endorsement": 72,
    "endorsed": 48,
    "payment_returned": 48,
}

revision = '0007_pipeline'
down_revision = '0006_banks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pendency_types = op.create_table('pendency_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pendency_types')),
    sa.UniqueConstraint('name', name=op.f('uq_pendency_types_name'))
    )
    sla_limits = op.create_table('sla_limits',
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_sla_limits'))
    )
    op.create_table('proposal_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposal_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_imports')),
    sa.UniqueConstraint('sha256', name=op.f('uq_proposal_imports_sha256'))
    )
    op.create_table('pendencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_pendencies_opened_by_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_pendencies_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_pendencies_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['type_id'], ['pendency_types.id'], name=op.f('fk_pendencies_type_id_pendency_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pendencies'))
    )
    with op.batch_alter_table('pendencies', schema=None) as batch_op:
        batch_op.create_index('ix_pendencies_open_owner', ['resolved_at', 'owner_kind', 'proposal_id'], unique=False)
        batch_op.create_index('ix_pendencies_proposal_id_id', ['proposal_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pendencies_type_id'), ['type_id'], unique=False)

    op.create_table('proposal_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_documents_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_proposal_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_documents')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_proposal_documents_storage_name'))
    )
    with op.batch_alter_table('proposal_documents', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_documents_proposal_id_id', ['proposal_id', 'id'], unique=False)

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_bank_code_id', ['bank_code', 'id'], unique=False)
        batch_op.create_index('ix_proposals_needs_review_id', ['needs_review', 'id'], unique=False)
        batch_op.create_index('ix_proposals_status_changed', ['status', 'status_changed_at'], unique=False)

    now = datetime.now(UTC)
    op.bulk_insert(pendency_types, [{"name": name, "active": True, "created_at": now} for name in PENDENCY_TYPES])
    op.bulk_insert(sla_limits, [{"status": s, "hours": h, "updated_at": now} for s, h in SLA_HOURS.items()])



def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_changed')
        batch_op.drop_index('ix_proposals_needs_review_id')
        batch_op.drop_index('ix_proposals_bank_code_id')

    with op.batch_alter_table('proposal_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_documents_proposal_id_id')

    op.drop_table('proposal_documents')
    with op.batch_alter_table('pendencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendencies_type_id'))
        batch_op.drop_index('ix_pendencies_proposal_id_id')
        batch_op.drop_index('ix_pendencies_open_owner')

    op.drop_table('pendencies')
    op.drop_table('proposal_imports')
    op.drop_table('sla_limits')
    op.drop_table('pendency_types')
