"""Verify and restore backups: `restic check` on a sample of the data, the manifest and
the database file checked against each other, restores into an empty database proven
table by table against the manifest."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portal.core.backups import database as dbs
from portal.core.backups.manifest import (
    Manifest,
    ManifestError,
    compare_storage,
    compare_tables,
    table_sums,
)
from portal.core.backups.restic import Restic, ResticError, Snapshot
from portal.core.backups.service import Hasher, backup_parts, read_manifest, repositories
from portal.core.backups.settings import BackupSettings
from portal.core.errors import DomainError


@dataclass
class VerifyResult:
    location: str
    problems: list[str]
    tables: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_backup(
    settings: BackupSettings, backup_id: str, subset_percent: int | None = None
) -> list[VerifyResult]:
    """Per repository: `restic check` reading a sample of the data, then the backup's
    manifest (its own checksum), the database file against the manifest's SHA-256 and,
    for SQLite, every table's rows and checksum recomputed from the stored copy."""
    percent = settings.check_subset_percent if subset_percent is None else subset_percent
    results = []
    for repo in repositories(settings):
        problems: list[str] = []
        result = VerifyResult(repo.shown, problems)
        results.append(result)
        try:
            repo.check(percent)
            parts = backup_parts(repo, backup_id)
            if not {"database", "manifest"} <= set(parts):
                problems.append(f"Backup {backup_id} incompleto ou ausente neste repositório.")
                continue
            manifest = read_manifest(repo, parts)
            if manifest.storage and "storage" not in parts:
                problems.append("Os arquivos do armazenamento não estão no repositório.")
            problems.extend(_check_database_file(repo, parts["database"], manifest))
            result.tables, result.rows = len(manifest.tables), manifest.total_rows
        except (ResticError, ManifestError) as error:
            problems.append(getattr(error, "message", str(error)))
    return results


def _check_database_file(repo: Restic, snap: Snapshot, manifest: Manifest) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="athenas-verify-") as work:
        copy = Path(work) / manifest.database_file
        with copy.open("wb") as handle:
            hasher = Hasher([handle])
            repo.dump(snap.id, manifest.database_file, hasher)  # type: ignore[arg-type]
        if (hasher.digest.hexdigest(), hasher.total) != (manifest.database_sha256, manifest.database_bytes):
            return ["O arquivo do banco no repositório não confere com o manifesto."]
        if manifest.backend != "sqlite":
            return []
        with dbs.engine_for(f"sqlite:///{copy}") as engine, engine.connect() as connection:
            return compare_tables(manifest.tables, table_sums(connection))


def verify_database(url: str, manifest: Manifest) -> list[str]:
    """Recompute every table's rows and checksum of a database and compare with a manifest."""
    with dbs.engine_for(url) as engine, engine.connect() as connection:
        return compare_tables(manifest.tables, table_sums(connection))


def load_manifest(settings: BackupSettings, backup_id: str, repository: str | None = None) -> Manifest:
    repo, parts = _source(settings, backup_id, repository)
    return read_manifest(repo, parts)


def _source(
    settings: BackupSettings, backup_id: str, repository: str | None
) -> tuple[Restic, dict[str, Snapshot]]:
    errors = []
    for repo in repositories(settings):
        if repository and repository not in (repo.location, repo.shown):
            continue
        try:
            parts = backup_parts(repo, backup_id)
        except ResticError as error:
            errors.append(error.message)
            continue
        if {"database", "manifest"} <= set(parts):
            return repo, parts
    detail = (" " + " ".join(errors)) if errors else ""
    raise DomainError(f"Backup {backup_id} não encontrado completo em nenhum repositório.{detail}")


@dataclass
class RestoreReport:
    backup_id: str
    repository: str
    tables: int
    rows: int
    problems: list[str]
    storage_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def restore_backup(
    settings: BackupSettings,
    backup_id: str,
    into_url: str,
    storage_into: Path | None = None,
    repository: str | None = None,
) -> RestoreReport:
    """Restore a backup into an empty database (and the storage files into an empty
    directory), then prove it: every table's rows and checksum against the manifest."""
    backend = dbs.backend_of(into_url)
    dbs.refuse_non_empty(into_url)
    if storage_into is not None and storage_into.exists() and any(storage_into.iterdir()):
        raise DomainError(
            f"A pasta {storage_into} não está vazia: os arquivos são restaurados numa pasta vazia."
        )
    repo, parts = _source(settings, backup_id, repository)
    manifest = read_manifest(repo, parts)
    if manifest.backend != backend:
        raise DomainError(
            f"Este backup é de um banco {manifest.backend}: restaure-o num banco {manifest.backend}."
        )
    if backend == "sqlite":
        _restore_sqlite(repo, parts["database"], manifest, dbs.sqlite_path(into_url))
    else:
        _restore_postgres(repo, parts["database"], manifest, into_url)
    problems = verify_database(into_url, manifest)
    report = RestoreReport(backup_id, repo.shown, len(manifest.tables), manifest.total_rows, problems)
    if storage_into is not None and manifest.storage:
        storage_into.mkdir(parents=True, exist_ok=True)
        repo.restore(parts["storage"].id, manifest.storage_dir, str(storage_into))
        problems.extend(compare_storage(manifest.storage, storage_into))
        report.storage_files = len(manifest.storage)
    return report


def _restore_sqlite(repo: Restic, snap: Snapshot, manifest: Manifest, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    with partial.open("wb") as handle:
        hasher = Hasher([handle])
        repo.dump(snap.id, manifest.database_file, hasher)  # type: ignore[arg-type]
    if hasher.digest.hexdigest() != manifest.database_sha256:
        partial.unlink()
        raise DomainError(
            "O arquivo do banco no repositório não confere com o manifesto: restauração cancelada."
        )
    os.replace(partial, target)


def _restore_postgres(repo: Restic, snap: Snapshot, manifest: Manifest, url: str) -> None:
    with tempfile.TemporaryFile() as errors:
        child = dbs.start_pg_restore(url, errors)
        assert child.stdin is not None
        hasher = Hasher([child.stdin])
        try:
            with contextlib.suppress(BrokenPipeError):
                repo.dump(snap.id, manifest.database_file, hasher)  # type: ignore[arg-type]
        finally:
            with contextlib.suppress(BrokenPipeError):
                child.stdin.close()
        if child.wait() != 0:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip()[-300:]
            raise DomainError(f"pg_restore falhou: {detail}")
    if hasher.digest.hexdigest() != manifest.database_sha256:
        raise DomainError("O arquivo do banco no repositório não confere com o manifesto.")
