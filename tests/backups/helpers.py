"""Shared pieces of the backup tests: test settings and a small SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from portal.core.backups.settings import BackupSettings

PASSWORD = "senha-de-teste-dos-backups"  # noqa: S105
MARKER = "Marcador-Secreto-9137"


def settings_for(tmp: Path, *repos: str, password: str = PASSWORD, **fields: object) -> BackupSettings:
    storage = tmp / "storage"
    storage.mkdir(exist_ok=True)
    return BackupSettings(
        repositories=tuple(str(tmp / name) for name in (repos or ("repo",))),
        password=password,
        storage_dir=str(storage),
        cache_dir=str(tmp / "restic-cache"),
        **fields,  # type: ignore[arg-type]
    )


def small_sqlite(path: Path) -> str:
    """Two tables, 3 + 2 rows, typed values including NULL, text with accents and bytes."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, cents INTEGER, photo BLOB)"
        )
        connection.execute("CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT)")
        connection.executemany(
            "INSERT INTO people VALUES (?, ?, ?, ?)",
            [(1, "João", 123456, b"\x00\x01"), (2, MARKER, None, None), (3, "Zoë", -5, b"")],
        )
        connection.executemany("INSERT INTO tags VALUES (?, ?)", [("b", "Bê"), ("a", "Á")])
    connection.close()
    return f"sqlite:///{path}"
