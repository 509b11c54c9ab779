"""Backup settings: where the restic repositories are and the password that opens them.

`ATHENAS_BACKUP_REPOSITORIES` lists one or more restic repository locations separated by
commas (a local path, `sftp:user@host:/path`, `rest:https://host/...`); every backup goes
to each of them. `ATHENAS_BACKUP_PASSWORD` opens them; it lives in the environment only,
never in the database. Without them the development mode keeps one local repository
under `instance/backups` with a fixed development password (and says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEV_BACKUP_PASSWORD = "athenas-dev-backup-password-not-for-production"  # noqa: S105
RESTIC_HOST = "athenas"  # one host name for every server: retention groups ignore which one ran


@dataclass(frozen=True)
class BackupSettings:
    """What the backup services need; built from the app config by `from_config`."""

    repositories: tuple[str, ...]
    password: str
    storage_dir: str
    database_url: str = ""
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12
    check_subset_percent: int = 5
    max_age_hours: int = 26
    development_defaults: bool = False
    restic_binary: str = "restic"
    cache_dir: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.repositories and self.password)

    def describe(self) -> str:
        """One pt-BR line saying where backups go (repository passwords masked)."""
        places = ", ".join(mask_location(location) for location in self.repositories) or "nenhum"
        if self.development_defaults:
            return (
                f"Backups: repositório local {places} com a senha de desenvolvimento "
                "(defina ATHENAS_BACKUP_REPOSITORIES e ATHENAS_BACKUP_PASSWORD em produção)."
            )
        if not self.configured:
            return "Backups não configurados: defina ATHENAS_BACKUP_REPOSITORIES e ATHENAS_BACKUP_PASSWORD."
        return f"Backups em {places}."

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_dir: str | Path) -> BackupSettings:
        repositories = parse_locations(str(config.get("BACKUP_REPOSITORIES") or ""))
        password = str(config.get("BACKUP_PASSWORD") or "")
        development = config.get("ENV_MODE") != "production"
        defaults = False
        if development and not repositories and not password:
            repositories = (str(Path(instance_dir) / "backups"),)
            password = DEV_BACKUP_PASSWORD
            defaults = True
        return cls(
            repositories=repositories,
            password=password,
            storage_dir=str(config.get("STORAGE_DIR") or Path(instance_dir) / "storage"),
            database_url=str(config.get("DATABASE_URL") or ""),
            keep_daily=int(config.get("BACKUP_KEEP_DAILY") or 7),
            keep_weekly=int(config.get("BACKUP_KEEP_WEEKLY") or 4),
            keep_monthly=int(config.get("BACKUP_KEEP_MONTHLY") or 12),
            check_subset_percent=int(config.get("BACKUP_CHECK_SUBSET_PERCENT") or 5),
            max_age_hours=int(config.get("BACKUP_MAX_AGE_HOURS") or 26),
            development_defaults=defaults,
        )


def parse_locations(raw: str) -> tuple[str, ...]:
    """`a, b ,,c` → ('a', 'b', 'c'), duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for part in raw.split(","):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)


def mask_location(location: str) -> str:
    """A repository location safe to show and log: a password inside a URL is hidden
    (`rest:https://user:secret@host/` → `rest:https://user:***@host/`)."""
    prefix, sep, rest = location.partition(":")
    if sep and "://" in rest:
        parts = urlsplit(rest)
        if parts.password:
            netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            return f"{prefix}:{urlunsplit(parts._replace(netloc=netloc))}"
    return location


_settings: BackupSettings | None = None


def configure(settings: BackupSettings) -> None:
    """Called by the app factory: job bodies read the settings from here."""
    global _settings
    _settings = settings


def get_settings() -> BackupSettings:
    if _settings is None:
        raise RuntimeError("backup settings not configured")
    return _settings
