"""pendency_types.name_key: names unique whatever their case and accents

Revision ID: 0011_pendency_type_name_key
Revises: 0009_bank_status_at
Created: 2026-12-01 12:00:00

The duplicate check compared `lower(name)`, which SQLite applies to ASCII letters only:
"CPF INVÁLIDO" slipped past it into the unique constraint (an HTTP 500). The folded name
(lower case, no accents, single spaces) is now the unique key. Existing rows get theirs
here; two old names that fold alike keep both rows, the later one with its id appended.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0011_pendency_type_name_key'
down_revision = '0010_auth_sessions_mfa'
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    # A copy of portal.core.text.fold as of this revision (migrations must not change later).
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(plain.split())


def upgrade() -> None:
    with op.batch_alter_table('pendency_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=80), nullable=True))
    table = sa.table('pendency_types', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String))
    conn = op.get_bind()
    seen: set[str] = set()
    for row_id, name in conn.execute(sa.select(table.c.id, table.c.name).order_by(table.c.id)):
        key = _fold(name)
        if key in seen:
            key = f"{key[:60]} #{row_id}"
        seen.add(key)
        conn.execute(table.update().where(table.c.id == row_id).values(name_key=key))
    with op.batch_alter_table('pendency_types', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_pendency_types_name_key'), ['name_key'])


def downgrade() -> None:
    with op.batch_alter_table('pendency_types', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_pendency_types_name_key'), type_='unique')
        batch_op.drop_column('name_key')
