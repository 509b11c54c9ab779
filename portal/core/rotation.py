"""Re-encryption of every `EncryptedText` column and every encrypted file with the key
ring's current key.

Columns are discovered from the ORM metadata, so a table added later is covered without
touching this module. Values are read and written as raw tokens (the column type's own
encryption is bypassed), in primary-key batches; the caller commits once.

Files (written with `KeyRing.encrypt_bytes`) are described by an :class:`EncryptedFiles`
declared next to the domain code that writes them (the column that references them, where
they live, their associated data); the CLI passes the list. Each file is decrypted,
re-encrypted, written next to the old one and renamed over it (`os.replace`), so a reader
always finds a complete file that the ring (old key still in it) can read. Whether a file
needs work is decided from the key id at its own head, not from the database, so a run
interrupted half-way is simply run again. Files written in clear before encryption existed
are encrypted when their source allows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Table, Text, bindparam, select, type_coerce, update
from sqlalchemy.orm import Session

from portal.core import uploads
from portal.core.crypto import CryptoError, EncryptedText, KeyRing
from portal.core.db import Base
from portal.core.errors import NotFound


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


# ------------------------------------------------------------------- files


def _same(reference: str) -> str:
    return reference


@dataclass(frozen=True)
class EncryptedFiles:
    """Files under the storage directory, one per non-null value of `column`."""

    column: Column
    # Reference stored in `column` -> path relative to the storage directory.
    locate: Callable[[str], str] = _same
    # Reference -> the associated data the file was encrypted with.
    context: Callable[[str], str] = _same
    # A column recording the key id of the file, kept in step when there is one.
    key_id_column: Column | None = None
    # Files from before encryption (clear, recognised by their magic bytes) are encrypted.
    clear_allowed: bool = False

    @property
    def table(self) -> Table:
        return self.column.table

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


@dataclass
class FileRotation:
    rotated: int = 0  # re-encrypted from an older key
    encrypted: int = 0  # were in clear, now encrypted
    missing: int = 0  # referenced by the database but not in the storage directory

    @property
    def changed(self) -> int:
        return self.rotated + self.encrypted


def _rotate_file(ring: KeyRing, storage_dir: str | Path, target: EncryptedFiles, reference: str) -> str:
    """Outcome: "rotated", "encrypted", "current" or "missing"; a CryptoError names the file."""
    try:
        path = uploads.resolve_stored(storage_dir, target.locate(reference), "")
        blob = path.read_bytes()
    except (NotFound, OSError):
        return "missing"
    context = target.context(reference)
    try:
        if uploads.is_clear(blob):
            if not target.clear_allowed:
                raise CryptoError("arquivo em claro onde se esperava um arquivo cifrado.")
            plain, outcome = blob, "encrypted"
        elif ring.key_id_of_bytes(blob) == ring.current_id:
            return "current"
        else:
            plain, outcome = ring.decrypt_bytes(blob, context), "rotated"
    except CryptoError as exc:
        raise CryptoError(f"{target.name} = {reference}: {exc}") from exc
    fresh = ring.encrypt_bytes(plain, context)
    if not path.exists():  # deleted meanwhile (e.g. anonymisation): do not bring it back
        return "missing"
    uploads.write_atomically(path, fresh)
    return outcome


def rotate_files(
    session: Session, ring: KeyRing, storage_dir: str | Path, target: EncryptedFiles, batch: int = 500
) -> FileRotation:
    """Re-encrypt (or encrypt, if clear and allowed) every file `target` references."""
    pk = _primary_key(target.table)
    key_id = target.key_id_column
    columns = [pk, target.column] + ([key_id] if key_id is not None else [])
    result = FileRotation()
    last = None
    while True:
        query = select(*columns).where(target.column.is_not(None)).order_by(pk).limit(batch)
        if last is not None:
            query = query.where(pk > last)
        rows = session.execute(query).all()
        if not rows:
            return result
        last = rows[-1][0]
        stale_key_ids = []
        for row in rows:
            outcome = _rotate_file(ring, storage_dir, target, row[1])
            if outcome == "missing":
                result.missing += 1
                continue
            if outcome == "rotated":
                result.rotated += 1
            elif outcome == "encrypted":
                result.encrypted += 1
            if key_id is not None and row[2] != ring.current_id:
                stale_key_ids.append({"_pk": row[0]})
        if key_id is not None and stale_key_ids:
            session.connection().execute(
                update(target.table).where(pk == bindparam("_pk")).values({key_id.name: ring.current_id}),
                stale_key_ids,
            )


def rotate_all_files(
    session: Session,
    ring: KeyRing,
    storage_dir: str | Path,
    targets: Iterable[EncryptedFiles],
    batch: int = 500,
) -> dict[str, FileRotation]:
    """Rotate every file of every target; returns {"table.column": FileRotation}."""
    session.flush()
    return {target.name: rotate_files(session, ring, storage_dir, target, batch) for target in targets}
