"""Re-encryption of every `EncryptedText` column with the key ring's current key.

Columns are discovered from the ORM metadata, so a table added later is covered without
touching this module. Values are read and written as raw tokens (the column type's own
encryption is bypassed), in primary-key batches; the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Table, Text, bindparam, select, type_coerce, update
from sqlalchemy.orm import Session

from portal.core.crypto import EncryptedText, KeyRing
from portal.core.db import Base


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    @property
    def context(self) -> str | None:
        return self.column.type.context  # type: ignore[attr-defined]


def encrypted_columns() -> list[EncryptedColumn]:
    """Every EncryptedText column of every mapped table."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                found.append(EncryptedColumn(table, column))
    return found


def _primary_key(table: Table) -> Column:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        raise ValueError(f"{table.name}: rotation needs a single-column primary key")
    return keys[0]


def rotate_column(session: Session, ring: KeyRing, target: EncryptedColumn, batch: int = 500) -> int:
    """Re-encrypt the tokens of one column not yet under the current key; returns the count."""
    pk = _primary_key(target.table)
    raw = type_coerce(target.column, Text()).label("token")
    statement = (
        update(target.table)
        .where(pk == bindparam("_pk"))
        .values({target.column.name: bindparam("_token", type_=Text())})
    )
    rotated = 0
    last = None
    while True:
        query = select(pk, raw).where(target.column.is_not(None)).order_by(pk).limit(batch)
        if last is not None:
            query = query.where(pk > last)
        rows = session.execute(query).all()
        if not rows:
            return rotated
        last = rows[-1][0]
        changes = [
            {"_pk": key, "_token": ring.rotate(token, target.context)}
            for key, token in rows
            if ring.needs_rotation(token)
        ]
        if changes:
            session.connection().execute(statement, changes)
            rotated += len(changes)


def rotate_all(session: Session, ring: KeyRing, batch: int = 500) -> dict[str, int]:
    """Rotate every encrypted column; returns {"table.column": rotated count}."""
    session.flush()
    return {target.name: rotate_column(session, ring, target, batch) for target in encrypted_columns()}
