"""reports page: stored report files (monthly workbook, recurring export runs) and
recurring export definitions

Revision ID: 0021_reports
Revises: 0020_backups
Created: 2026-11-30 23:14:31.867209
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_reports"
down_revision = "0020_backups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurring_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("list_kind", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("fmt", sa.String(length=4), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_recurring_reports_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_reports")),
    )
    with op.batch_alter_table("recurring_reports", schema=None) as batch_op:
        batch_op.create_index("ix_recurring_reports_due", ["active", "next_run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_recurring_reports_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("definition_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_path", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["recurring_reports.id"],
            name=op.f("fk_report_files_definition_id_recurring_reports"),
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_report_files_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_files_definition_id"), ["definition_id"], unique=False)
        batch_op.create_index("ix_report_files_kind_period", ["kind", "period"], unique=False)
        batch_op.create_index("ix_report_files_owner_id", ["owner_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_index("ix_report_files_owner_id")
        batch_op.drop_index("ix_report_files_kind_period")
        batch_op.drop_index(batch_op.f("ix_report_files_definition_id"))

    op.drop_table("report_files")
    with op.batch_alter_table("recurring_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recurring_reports_owner_id"))
        batch_op.drop_index("ix_recurring_reports_due")

    op.drop_table("recurring_reports")
