"""people: certifications, operator codes, unit address

Revision ID: 0003_people
Revises: 0002_people_org
Created: 2026-11-29 05:24:45.285700
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_people"
down_revision = "0002_people_org"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaborator_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("evidence_path", sa.String(length=200), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("evidence_filename", sa.String(length=255), nullable=True),
        sa.Column("evidence_content_type", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaborator_id"],
            ["collaborators.id"],
            name=op.f("fk_certifications_collaborator_id_collaborators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
    )
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certifications_collaborator_expiry", ["collaborator_id", "expires_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certifications_expires_on"), ["expires_on"], unique=False)

    op.create_table(
        "operator_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaborator_id", sa.Integer(), nullable=False),
        sa.Column("bank_code", sa.String(length=20), nullable=False),
        sa.Column("operator_code", sa.String(length=60), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("secret_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaborator_id"],
            ["collaborators.id"],
            name=op.f("fk_operator_codes_collaborator_id_collaborators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_codes")),
        sa.UniqueConstraint(
            "bank_code", "operator_code", name=op.f("uq_operator_codes_bank_code_operator_code")
        ),
        sa.UniqueConstraint(
            "collaborator_id", "bank_code", name=op.f("uq_operator_codes_collaborator_id_bank_code")
        ),
    )
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cep", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.drop_column("state")
        batch_op.drop_column("city")
        batch_op.drop_column("cep")

    op.drop_table("operator_codes")
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certifications_expires_on"))
        batch_op.drop_index("ix_certifications_collaborator_expiry")

    op.drop_table("certifications")
