"""Create and list backups; apply the retention policy (verify and restore: recovery.py).

A backup (`backup_id`, e.g. `20261130-031500-9f2c`) is, in every repository, up to three
restic snapshots with the same time and tags `athenas`, `backup=<id>`, `part=<part>`:
`database` (the SQLite copy or the `pg_dump -Fc` stream, read from stdin), `storage` (the
storage directory, when it has files) and `manifest` (JSON, see manifest.py). The database
stream is read once and written to every repository at the same time; a repository that
fails is reported and the others go on.
"""

from __future__ import annotations

import hashlib
import io
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


class Hasher:
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
            hasher = Hasher(sinks)
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


def _sqlite_into(url: str, manifest: Manifest, hasher: Hasher) -> None:
    with tempfile.TemporaryDirectory(prefix="athenas-backup-") as work:
        copy = Path(work) / dbs.SQLITE_FILE
        dbs.sqlite_copy(url, copy)
        with dbs.engine_for(f"sqlite:///{copy}") as engine, engine.connect() as connection:
            manifest.tables = table_sums(connection)
        with copy.open("rb") as source:
            hasher.pump(source)


def _postgres_into(url: str, manifest: Manifest, hasher: Hasher) -> None:
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


def backup_parts(repo: Restic, backup_id: str) -> dict[str, Snapshot]:
    return _group(repo.snapshots(TAG, f"backup={backup_id}")).get(backup_id, {})


def read_manifest(repo: Restic, parts: dict[str, Snapshot]) -> Manifest:
    buffer = io.BytesIO()
    repo.dump(parts["manifest"].id, MANIFEST_FILE, buffer)
    return Manifest.from_json(buffer.getvalue())


def latest_backup_id(settings: BackupSettings) -> str:
    backups, _errors = list_backups(settings)
    if not backups:
        raise DomainError("Nenhum backup encontrado nos repositórios.")
    return backups[0].backup_id


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
