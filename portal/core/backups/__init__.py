"""Backups with restic: consistent database snapshots plus the storage directory, with a
manifest of row counts and checksums, to one or more encrypted repositories.

- `settings`: repositories and password (environment only), retention policy.
- `restic`: the subprocess runner (password in the child's environment only).
- `manifest`: per-table rows and checksums, same algorithm on SQLite and PostgreSQL.
- `database`: SQLite online backup / pg_dump in an exported snapshot; restores.
- `service`: create, list, retention; `recovery`: verify and restore. `runs`: the `backup_runs` records
  and `backup_freshness()` for the health dashboard. `job`: the scheduled job.
"""

from portal.core.backups.runs import backup_freshness
from portal.core.backups.settings import BackupSettings, configure, get_settings

__all__ = ["BackupSettings", "backup_freshness", "configure", "get_settings"]
