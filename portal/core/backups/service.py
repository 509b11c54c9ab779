"""Create, list, verify and restore backups; apply the retention policy.

A backup (`backup_id`, e.g. `20261130-031500-9f2c`) is, in every repository, up to three
restic snapshots with the same time and tags `athenas`, `backup=<id>`, `part=<part>`:
`database` (the SQLite copy or the `pg_dump -Fc` stream, read from stdin), `storage` (the
storage directory, when it has files) and `manifest` (JSON, see manifest.py). The database
stream is read once and written to every repository at the same time; a repository that
fails is reported and the others go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import text

from portal.core.backups import database as dbs
from portal.core.backups.manifest import (
    Manifest,
    ManifestError,
    compare_storage,
    compare_tables,
    storage_files,
    table_sums,
)
from portal.core.backups.restic import CHUNK, Restic, ResticError, Snapshot
from portal.core.backups.settings import BackupSettings, mask_location
from portal.core.errors import DomainError

MANIFEST_FILE = "athenas-manifest.json"
TAG = "athenas"


@dataclass
class RepoResult:
    location: str  # masked: safe to show and store
    ok: bool
    snapshot_id: str | None = None
    message: str = ""


@dataclass
class CreateOutcome:
    backup_id: str
    created_at: datetime
    manifest: Manifest
    size_bytes: int
    results: list[RepoResult]

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(result.ok for result in self.results)


def repositories(settings: BackupSettings) -> list[Restic]:
    if not settings.configured:
        raise DomainError(
            "Backups não configurados: defina ATHENAS_BACKUP_REPOSITORIES e ATHENAS_BACKUP_PASSWORD."
        )
    if shutil.which(settings.restic_binary) is None:
        raise DomainError("restic não encontrado: instale o pacote Debian restic (make install).")
    return [
        Restic(location, settings.password, settings.restic_binary, settings.cache_dir)
        for location in settings.repositories
    ]


def new_backup_id(now: datetime) -> str:
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _tags(backup_id: str, part: str) -> list[str]:
    return [TAG, f"backup={backup_id}", f"part={part}"]


class _Sink(Protocol):
    def write(self, chunk: bytes, /) -> Any: ...


class _Hasher:
    def __init__(self, sinks: Sequence[_Sink]) -> None:
        self.sinks = sinks
        self.digest = hashlib.sha256()
        self.total = 0

    def write(self, chunk: bytes) -> int:
        self.digest.update(chunk)
        self.total += len(chunk)
        for sink in self.sinks:
            sink.write(chunk)
        return len(chunk)

    def pump(self, source: IO[bytes]) -> None:
        while chunk := source.read(CHUNK):
            self.write(chunk)


def create_backup(settings: BackupSettings, database_url: str, now: datetime) -> CreateOutcome:
    """Take a consistent backup of the database and the storage directory into every
    repository. `now` (aware) is the snapshots' time and names the backup."""
    backend = dbs.backend_of(database_url)
    backup_id = new_backup_id(now)
    when = now.astimezone().replace(tzinfo=None)  # restic reads --time as local time
    manifest = Manifest(backup_id, now.isoformat(), backend, dbs.database_file(backend), tables={})
    failures: dict[str, str] = {}
    alive: list[Restic] = []
    for repo in repositories(settings):
        try:
            repo.ensure_initialised()
            alive.append(repo)
        except ResticError as error:
            failures[repo.location] = error.message
    snapshots: dict[str, str] = {}
    if alive:
        sinks = [
            repo.start_stdin_backup(manifest.database_file, _tags(backup_id, "database"), when)
            for repo in alive
        ]
        try:
            hasher = _Hasher(sinks)
            if backend == "sqlite":
                _sqlite_into(database_url, manifest, hasher)
            else:
                _postgres_into(database_url, manifest, hasher)
            manifest.database_sha256, manifest.database_bytes = hasher.digest.hexdigest(), hasher.total
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
        for repo, sink in zip(alive, sinks, strict=True):
            try:
                snapshots[repo.location] = sink.finish()
            except ResticError as error:
                failures[repo.location] = error.message
    storage_root = Path(settings.storage_dir).resolve()
    manifest.storage_dir = str(storage_root)
    manifest.storage = storage_files(storage_root)
    for repo in alive:
        if repo.location not in snapshots:
            continue
        try:
            if manifest.storage:
                repo.backup_paths([str(storage_root)], _tags(backup_id, "storage"), when)
            sink = repo.start_stdin_backup(MANIFEST_FILE, _tags(backup_id, "manifest"), when)
            sink.write(manifest.to_json())
            sink.finish()
        except ResticError as error:
            failures[repo.location] = error.message
            snapshots.pop(repo.location)
    size = manifest.database_bytes + sum((storage_root / name).stat().st_size for name in manifest.storage)
    results = [
        RepoResult(mask_location(loc), loc in snapshots, snapshots.get(loc), failures.get(loc, ""))
        for loc in settings.repositories
    ]
    return CreateOutcome(backup_id, now, manifest, size, results)


def _sqlite_into(url: str, manifest: Manifest, hasher: _Hasher) -> None:
    with tempfile.TemporaryDirectory(prefix="athenas-backup-") as work:
        copy = Path(work) / dbs.SQLITE_FILE
        dbs.sqlite_copy(url, copy)
        with dbs.engine_for(f"sqlite:///{copy}") as engine, engine.connect() as connection:
            manifest.tables = table_sums(connection)
        with copy.open("rb") as source:
            hasher.pump(source)


def _postgres_into(url: str, manifest: Manifest, hasher: _Hasher) -> None:
    """Row sums and pg_dump read the same exported snapshot: they describe one instant."""
    with dbs.engine_for(url) as engine, engine.connect() as raw:
        connection = raw.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            dbs.check_client_version(connection)
            snapshot = str(connection.scalar(text("SELECT pg_export_snapshot()")))
            manifest.tables = table_sums(connection)
            with tempfile.TemporaryFile() as errors:
                child = dbs.start_pg_dump(url, snapshot, errors)
                assert child.stdout is not None
                hasher.pump(child.stdout)
                if child.wait() != 0:
                    errors.seek(0)
                    detail = errors.read().decode("utf-8", "replace").strip()[-300:]
                    raise DomainError(f"pg_dump falhou: {detail}")


@dataclass
class BackupInfo:
    backup_id: str
    time: str
    parts: dict[str, dict[str, str]] = field(default_factory=dict)  # repository → part → snapshot

    def complete_in(self, location: str) -> bool:
        return {"database", "manifest"} <= set(self.parts.get(location, {}))


def _group(snapshots: list[Snapshot]) -> dict[str, dict[str, Snapshot]]:
    grouped: dict[str, dict[str, Snapshot]] = {}
    for snap in snapshots:
        backup_id, part = snap.tag_value("backup"), snap.tag_value("part")
        if backup_id and part:
            grouped.setdefault(backup_id, {})[part] = snap
    return grouped


def list_backups(settings: BackupSettings) -> tuple[list[BackupInfo], dict[str, str]]:
    """Every backup found in the repositories (newest first) and per-repository errors."""
    found: dict[str, BackupInfo] = {}
    errors: dict[str, str] = {}
    for repo in repositories(settings):
        try:
            grouped = _group(repo.snapshots(TAG))
        except ResticError as error:
            errors[repo.shown] = error.message
            continue
        for backup_id, parts in grouped.items():
            info = found.setdefault(backup_id, BackupInfo(backup_id, min(s.time for s in parts.values())))
            info.parts[repo.shown] = {part: snap.short_id for part, snap in parts.items()}
    return sorted(found.values(), key=lambda info: (info.time, info.backup_id), reverse=True), errors


def _parts(repo: Restic, backup_id: str) -> dict[str, Snapshot]:
    return _group(repo.snapshots(TAG, f"backup={backup_id}")).get(backup_id, {})


def _manifest(repo: Restic, parts: dict[str, Snapshot]) -> Manifest:
    buffer = io.BytesIO()
    repo.dump(parts["manifest"].id, MANIFEST_FILE, buffer)
    return Manifest.from_json(buffer.getvalue())


def latest_backup_id(settings: BackupSettings) -> str:
    backups, _errors = list_backups(settings)
    if not backups:
        raise DomainError("Nenhum backup encontrado nos repositórios.")
    return backups[0].backup_id


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
            parts = _parts(repo, backup_id)
            if not {"database", "manifest"} <= set(parts):
                problems.append(f"Backup {backup_id} incompleto ou ausente neste repositório.")
                continue
            manifest = _manifest(repo, parts)
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
            hasher = _Hasher([handle])
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
    return _manifest(repo, parts)


def _source(
    settings: BackupSettings, backup_id: str, repository: str | None
) -> tuple[Restic, dict[str, Snapshot]]:
    errors = []
    for repo in repositories(settings):
        if repository and repository not in (repo.location, repo.shown):
            continue
        try:
            parts = _parts(repo, backup_id)
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
    manifest = _manifest(repo, parts)
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
        hasher = _Hasher([handle])
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
        hasher = _Hasher([child.stdin])
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


def apply_retention(settings: BackupSettings) -> dict[str, set[str]]:
    """`restic forget --prune` with the daily/weekly/monthly policy in every repository;
    returns, per repository, the backup ids that were removed (errors raise per repo)."""
    removed: dict[str, set[str]] = {}
    for repo in repositories(settings):
        groups = repo.forget(
            keep_daily=settings.keep_daily,
            keep_weekly=settings.keep_weekly,
            keep_monthly=settings.keep_monthly,
            tag=TAG,
        )
        ids: set[str] = set()
        for group in groups or []:
            for snap in group.get("remove") or []:
                tags = snap.get("tags") or []
                ids.update(tag.removeprefix("backup=") for tag in tags if tag.startswith("backup="))
        removed[repo.shown] = ids
    return removed
