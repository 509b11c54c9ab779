"""Whole runs of an import from a file on disk (CLI and inbox: one transaction, a
failure leaves nothing of the file behind) or from the kept copy (the background job
started by the page, which commits row-by-row kinds batch by batch: see
`service.execute`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.imports import service, storage
from portal.core.imports.models import DataImport
from portal.core.imports.service import Report, Step
from portal.core.imports.sources import open_source


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_path(
    session: Session,
    actor: Actor,
    path: str | os.PathLike[str],
    *,
    kind: str,
    bank_code: str,
    source: str,
    storage_dir: str | os.PathLike[str],
    layout_name: str | None = None,
    sheet: str | None = None,
    report: Report | None = None,
    options: dict[str, Any] | None = None,
) -> DataImport:
    """Prepare and, when a saved layout matches, run at once. A file held back
    (quarantine, no layout yet) keeps an encrypted copy so a person can map it later.
    The file is opened once: the header scan and the run share what was read."""
    opened = open_source(path)
    record = service.prepare(
        session,
        actor,
        kind=kind,
        bank_code=bank_code,
        path=path,
        filename=Path(path).name,
        sha256=file_sha256(path),
        source=source,
        sheet=sheet,
        layout_name=layout_name,
        options=options,
        opened=opened,
    )
    if record.status == "ready":
        return service.execute(session, actor, record, path, report, opened=opened)
    record.storage_name = storage.keep(Path(path).read_bytes(), storage_dir)
    session.flush()
    return record


def run_kept(
    session: Session,
    actor: Actor,
    record: DataImport,
    storage_dir: str | os.PathLike[str],
    report: Report | None = None,
    step: Step[Any] | None = None,
) -> DataImport:
    """Run a prepared import from its kept copy (the page's job, which commits in `step`s)."""
    if not record.storage_name:
        raise ValueError("import without a kept file")
    with storage.opened(storage_dir, record.storage_name) as path:
        return service.execute(session, actor, record, path, report, step)


def prepare_upload(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    kind: str,
    bank_code: str,
    storage_dir: str | os.PathLike[str],
    sheet: str | None = None,
    options: dict[str, Any] | None = None,
) -> DataImport:
    """An uploaded file (already through the upload gate): kept encrypted, then prepared."""
    sha256 = hashlib.sha256(data).hexdigest()
    service.refuse_duplicate(session, kind, bank_code, sha256)
    name = storage.keep(data, storage_dir)
    try:
        with storage.opened(storage_dir, name) as path:
            return service.prepare(
                session,
                actor,
                kind=kind,
                bank_code=bank_code,
                path=path,
                filename=filename,
                sha256=sha256,
                source="upload",
                sheet=sheet,
                storage_name=name,
                options=options,
            )
    except BaseException:
        storage.discard(storage_dir, name)
        raise
