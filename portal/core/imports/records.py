"""What kinds that create domain records (proposals, clients, table versions) share: the
link from an import to each record it created, found again by natural key (a row another
import already brought in is skipped) and by import (what "desfazer" removes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.core.errors import DomainError
from portal.core.imports.models import DataImport, ImportedRecord

LOOKUP_CHUNK = 900


def key_of(*parts: object) -> str:
    """A natural key from the row's identifying values (SHA-256 of them joined)."""
    raw = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(raw.encode()).hexdigest()


def owners(session: Session, kind: str, keys: Iterable[str]) -> dict[str, int]:
    """natural key → the import that created its record (reverted imports left no links)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        stmt = select(ImportedRecord.natural_key, ImportedRecord.import_id).where(
            ImportedRecord.kind == kind, ImportedRecord.natural_key.in_(chunk)
        )
        found.update(session.execute(stmt).tuples().all())
    return found


def link(session: Session, record: DataImport, natural_key: str, entity_id: int, line: int) -> None:
    session.add(
        ImportedRecord(
            import_id=record.id, kind=record.kind, natural_key=natural_key, entity_id=entity_id, line=line
        )
    )


def entity_ids(session: Session, import_id: int) -> list[int]:
    """The records an import created, in file order."""
    stmt = select(ImportedRecord.entity_id).where(ImportedRecord.import_id == import_id)
    return list(session.scalars(stmt.order_by(ImportedRecord.line, ImportedRecord.id)))


def forget(session: Session, import_id: int) -> None:
    """Drop the links of an import being undone (its natural keys may come in again)."""
    session.execute(delete(ImportedRecord).where(ImportedRecord.import_id == import_id))


def import_record(session: Session, import_id: int) -> DataImport:
    return session.get_one(DataImport, import_id)


def revertible_ids(session: Session, import_id: int, table: str, own: Iterable[str], what: str) -> list[int]:
    """The ids of the `table` records an import created, for "desfazer"; refused, naming the
    tables, when any of them is referenced from outside `own` (`what`: "clientes", ...)."""
    ids = entity_ids(session, import_id)
    busy = referenced_by(session, table, ids, own=own)
    if busy:
        raise DomainError(
            f"Há {what} desta importação com registros posteriores "
            f"({', '.join(busy)}): resolva-os antes de desfazer."
        )
    return ids


def referenced_by(session: Session, table: str, ids: list[int], own: Iterable[str] = ()) -> list[str]:
    """Tables (other than `own`, the rows the import itself wrote) holding rows that point
    at these records: something happened to them after the import, so it is not undone."""
    from sqlalchemy import func

    from portal.core.db import Base

    skip = set(own)
    found: list[str] = []
    if not ids:
        return found
    for other in Base.metadata.sorted_tables:
        if other.name in skip:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name != table:
                continue
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = ids[start : start + LOOKUP_CHUNK]
                stmt = select(func.count()).select_from(other).where(fk.parent.in_(chunk))
                if session.scalar(stmt):
                    found.append(other.name)
                    break
    return list(dict.fromkeys(found))
