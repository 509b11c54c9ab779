"""A commission table uploaded on the tables page, through the import hub in the request:
kept (encrypted, with its SHA-256), read by the hub's sources and header detection, run
at once when it has the table template's header (or a saved layout's)."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from portal.commissions import table_kind
from portal.core.audit import Actor
from portal.core.imports import runs, storage
from portal.core.imports.models import DataImport
from portal.core.upload_checks import check_spreadsheet

MAX_BYTES = 10 * 1024 * 1024


def run(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    bank_code: str,
    options: dict[str, object],
    storage_dir: str | os.PathLike[str],
) -> DataImport:
    """Prepare and, when ready, run the import; the caller reads the record's status."""
    check_spreadsheet(data, filename, max_bytes=MAX_BYTES, allow_html=True)
    record = runs.prepare_upload(
        session,
        actor,
        data,
        filename,
        kind=table_kind.NAME,
        bank_code=bank_code,
        storage_dir=storage_dir,
        options=dict(options),
    )
    if record.status == "ready":
        runs.run_kept(session, actor, record, storage_dir)
    return record


def discard(record: DataImport, storage_dir: str | os.PathLike[str]) -> None:
    """Remove the kept copy of a file that was refused (its record is rolled back)."""
    if record.storage_name:
        storage.discard(storage_dir, record.storage_name)
