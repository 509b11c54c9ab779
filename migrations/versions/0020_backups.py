"""backup runs: one row per backup per restic repository (status, size, verification)

Revision ID: 0020_backups
Revises: 0019_bank_call_log
Created: 2026-11-30 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_backups"
down_revision = "0019_bank_call_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backup_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backup_id", sa.String(length=40), nullable=False),
        sa.Column("repository", sa.String(length=500), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verification", sa.String(length=10), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification_message", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_runs")),
        sa.UniqueConstraint("backup_id", "repository", name=op.f("uq_backup_runs_backup_id_repository")),
    )
    op.create_index(op.f("ix_backup_runs_backup_id"), "backup_runs", ["backup_id"], unique=False)
    op.create_index("ix_backup_runs_status_created_at", "backup_runs", ["status", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_backup_runs_status_created_at", table_name="backup_runs")
    op.drop_index(op.f("ix_backup_runs_backup_id"), table_name="backup_runs")
    op.drop_table("backup_runs")
