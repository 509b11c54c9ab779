"""import hub: saved column layouts (import_layouts), import records (data_imports) and
the lines of bank commission reports (bank_report_lines, unique natural key per bank)

Revision ID: 0013_import_hub_bank_reports
Revises: 0012_commissions_ledger
Created: 2026-11-30 21:06:40.744401
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_import_hub_bank_reports"
down_revision = "0012_commissions_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_layouts_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_layouts")),
        sa.UniqueConstraint("kind", "bank_code", "name", name="uq_import_layouts_name"),
    )
    with op.batch_alter_table("import_layouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_layouts_fingerprint"), ["fingerprint"], unique=False)

    op.create_table(
        "data_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=True),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("sheets", sa.JSON(), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("header_line", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("layout_id", sa.Integer(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_data_imports_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["layout_id"],
            ["import_layouts.id"],
            name=op.f("fk_data_imports_layout_id_import_layouts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reverted_by_id"], ["users.id"], name=op.f("fk_data_imports_reverted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_imports")),
    )
    with op.batch_alter_table("data_imports", schema=None) as batch_op:
        batch_op.create_index("ix_data_imports_sha", ["sha256", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_imports_status"), ["status"], unique=False)

    op.create_table(
        "bank_report_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("contract", sa.String(length=60), nullable=False),
        sa.Column("operator_code", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("installment", sa.Integer(), nullable=True),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("natural_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["data_imports.id"], name=op.f("fk_bank_report_lines_import_id_data_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_report_lines")),
        sa.UniqueConstraint("bank_code", "natural_key", name="uq_bank_report_lines_key"),
    )
    with op.batch_alter_table("bank_report_lines", schema=None) as batch_op:
        batch_op.create_index("ix_bank_report_lines_contract", ["bank_code", "contract"], unique=False)
        batch_op.create_index("ix_bank_report_lines_date", ["bank_code", "line_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_report_lines_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bank_report_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_report_lines_import_id"))
        batch_op.drop_index("ix_bank_report_lines_date")
        batch_op.drop_index("ix_bank_report_lines_contract")

    op.drop_table("bank_report_lines")
    with op.batch_alter_table("data_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_imports_status"))
        batch_op.drop_index("ix_data_imports_sha")

    op.drop_table("data_imports")
    with op.batch_alter_table("import_layouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_layouts_fingerprint"))

    op.drop_table("import_layouts")
