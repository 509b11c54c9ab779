"""A bank table's file in and out of the database: an uploaded XLSX/CSV becomes a draft
version (every bad line refused at once, nothing half-imported); a version is exported in
the same layout, so export → import gives the same rows."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.models import Bank
from portal.commissions import tables
from portal.commissions.layouts import TABLE_COLUMNS, read_table_rows, table_row_cells
from portal.commissions.models import TableVersion
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.uploads import refuse_path_in_name, safe_filename

XLSX_MAGIC = b"PK\x03\x04"


def known_banks(session: Session) -> set[str]:
    return set(session.scalars(select(Bank.code)))


def read_upload_rows(session: Session, data: bytes, filename: str):
    """The table rows of an uploaded file, or a LayoutError listing every bad line."""
    refuse_path_in_name(filename)
    if not data.strip():
        raise DomainError("O arquivo está vazio.", field="file")
    suffix = ".xlsx" if data.startswith(XLSX_MAGIC) else ".csv"
    # The layout reader streams from a path; the upload lives only as long as this call.
    with tempfile.TemporaryDirectory(prefix="athenas-table-") as folder:
        path = Path(folder) / f"tabela{suffix}"
        path.write_bytes(data)
        return read_table_rows(path, banks=known_banks(session))


def import_table(
    session: Session,
    actor: Actor,
    *,
    data: bytes,
    filename: str,
    bank_code: str,
    valid_from: date | None,
    valid_to: date | None,
    note: str = "",
) -> TableVersion:
    """A new draft version of `bank_code` from an uploaded file. The version's validity is
    the form's, or else the rows' (earliest start; latest end, open if any row is open)."""
    rows = read_upload_rows(session, data, filename)
    if not rows:
        raise DomainError("A tabela não tem linhas.", field="file")
    if valid_from is None:
        valid_from = min(r.valid_from for r in rows)
        ends = [r.valid_to for r in rows]
        valid_to = valid_to or (None if any(e is None for e in ends) else max(e for e in ends if e))
    return tables.create_draft(
        session,
        actor,
        bank_code=bank_code,
        valid_from=valid_from,
        valid_to=valid_to,
        rows=rows,
        note=note,
        source_filename=safe_filename(filename, "tabela"),
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


def export_cells(version: TableVersion) -> tuple[tuple[str, ...], Iterator[list[str]]]:
    """The layout's header and one list of cells per row, in line order."""
    return TABLE_COLUMNS, (table_row_cells(row) for row in tables.version_rows(version))
