"""Per-bank inbox folders: `ATHENAS_STORAGE_DIR/inbox/<bank>/`. Files dropped there (SFTP
delivery, a shared drive, a script) are imported with the bank's saved layout.

Every file ends up moved, never lost: `processados/` when imported (or already imported
before), `quarentena/` when held for a person (header changed, no layout yet; the import
list shows it and its kept copy can be mapped in the browser), `recusados/` when it
cannot be read (the reason is recorded as a refused import). A file younger than
`min_age_seconds` is left for the next sweep: it may still be being written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.imports import runs
from portal.core.imports.models import DataImport

KIND = "bank-report"
DONE, HELD, REFUSED = "processados", "quarentena", "recusados"
MIN_AGE_SECONDS = 60.0


@dataclass
class SweepOutcome:
    imported: int = 0
    held: int = 0
    refused: int = 0


def inbox_dir(storage_dir: str | os.PathLike[str]) -> Path:
    return Path(storage_dir) / "inbox"


def _pending(root: Path, min_age: float) -> list[tuple[str, Path]]:
    now = time.time()
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for bank_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(p for p in bank_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
            if now - path.stat().st_mtime >= min_age:
                found.append((bank_dir.name, path))
    return found


def _move(path: Path, folder: str) -> Path:
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{stamp}-{path.name}"
    n = 1
    while target.exists():
        n += 1
        target = target_dir / f"{stamp}-{n}-{path.name}"
    path.rename(target)
    return target


def _run_now(fn: Callable[[], Any]) -> Any:
    return fn()


def sweep(
    session: Session,
    actor: Actor,
    storage_dir: str | os.PathLike[str],
    *,
    step: Callable[[Callable[[], Any]], Any] = _run_now,
    min_age_seconds: float = MIN_AGE_SECONDS,
) -> SweepOutcome:
    """Import every waiting file, each in its own transaction (`step`)."""
    outcome = SweepOutcome()
    for bank, path in _pending(inbox_dir(storage_dir), min_age_seconds):
        folder = _one(session, actor, storage_dir, bank, path, step)
        _move(path, folder)
        if folder == DONE:
            outcome.imported += 1
        elif folder == HELD:
            outcome.held += 1
        else:
            outcome.refused += 1
    return outcome


def _one(
    session: Session,
    actor: Actor,
    storage_dir: str | os.PathLike[str],
    bank: str,
    path: Path,
    step: Callable[[Callable[[], Any]], Any],
) -> str:
    def work() -> str:
        try:
            with session.begin_nested():
                record = runs.import_path(
                    session,
                    actor,
                    path,
                    kind=KIND,
                    bank_code=bank[:20],
                    source="inbox",
                    storage_dir=storage_dir,
                )
        except DomainError as error:
            if error.message.startswith("Arquivo já importado"):
                return DONE
            session.add(
                DataImport(
                    kind=KIND,
                    bank_code=bank[:20],
                    status="failed",
                    source="inbox",
                    filename=path.name[:200],
                    sha256=runs.file_sha256(path),
                    message=error.message[:300],
                    created_by_id=actor.id,
                )
            )
            session.flush()
            return REFUSED
        return DONE if record.status == "done" else HELD

    return str(step(work))
