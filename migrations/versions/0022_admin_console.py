"""admin console: effective-dated values with history (SLA limits, reconciliation rules),
LGPD data-subject requests, retention runs and security incidents

Revision ID: 0022_admin_console
Revises: 0021_reports
Created: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_admin_console"
down_revision = "0021_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effective_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("previous_value", sa.String(length=40), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effective_values")),
    )
    op.create_index(
        "ix_effective_values_key_scope_from", "effective_values", ["key", "scope", "valid_from"], unique=False
    )
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.Column("answered_by_label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_privacy_requests_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    op.create_index(op.f("ix_privacy_requests_client_id"), "privacy_requests", ["client_id"], unique=False)
    op.create_index(op.f("ix_privacy_requests_due_on"), "privacy_requests", ["due_on"], unique=False)
    op.create_table(
        "privacy_retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("anonymise", sa.Boolean(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("anonymised", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("started_by_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_retention_runs")),
    )
    op.create_table(
        "privacy_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("data_categories", sa.String(length=300), nullable=False),
        sa.Column("subjects_affected", sa.Integer(), nullable=True),
        sa.Column("known_on", sa.Date(), nullable=False),
        sa.Column("notify_by", sa.Date(), nullable=False),
        sa.Column("anpd_notified_on", sa.Date(), nullable=True),
        sa.Column("subjects_notified_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_incidents")),
    )
    op.create_index(op.f("ix_privacy_incidents_notify_by"), "privacy_incidents", ["notify_by"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_privacy_incidents_notify_by"), table_name="privacy_incidents")
    op.drop_table("privacy_incidents")
    op.drop_table("privacy_retention_runs")
    op.drop_index(op.f("ix_privacy_requests_due_on"), table_name="privacy_requests")
    op.drop_index(op.f("ix_privacy_requests_client_id"), table_name="privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_index("ix_effective_values_key_scope_from", table_name="effective_values")
    op.drop_table("effective_values")
