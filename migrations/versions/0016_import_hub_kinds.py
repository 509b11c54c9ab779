"""import hub for every importer: per-import options (a table's validity, the owner of
imported clients) and the records an import created (proposals, clients, table versions)

Revision ID: 0016_import_hub_kinds
Revises: 0015_commission_statements
Created: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_import_hub_kinds"
down_revision = "0015_commission_statements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_imports") as batch:
        batch.add_column(sa.Column("options", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "imported_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("natural_key", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["data_imports.id"], name=op.f("fk_imported_records_import_id_data_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_records")),
    )
    op.create_index("ix_imported_records_key", "imported_records", ["kind", "natural_key"])
    op.create_index(op.f("ix_imported_records_import_id"), "imported_records", ["import_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_records_import_id"), table_name="imported_records")
    op.drop_index("ix_imported_records_key", table_name="imported_records")
    op.drop_table("imported_records")
    with op.batch_alter_table("data_imports") as batch:
        batch.drop_column("options")
