"""The database side of a backup: a consistent copy (SQLite's online backup API, or
`pg_dump -Fc` inside an exported snapshot), emptiness checks and restores.

PostgreSQL credentials go to the client programs through PGPASSWORD in their environment,
never on the command line.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from portal.core.errors import DomainError

SQLITE_FILE = "athenas-database.sqlite"
POSTGRES_FILE = "athenas-database.dump"


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise DomainError(f"Banco {name} não suportado pelo backup.")
    return name


def database_file(backend: str) -> str:
    return SQLITE_FILE if backend == "sqlite" else POSTGRES_FILE


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DomainError("O backup do SQLite precisa de um arquivo de banco, não de um banco em memória.")
    return Path(database)


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def pg_env(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for pg_dump / pg_restore (password in PGPASSWORD)."""
    parsed = make_url(url)
    args = ["--dbname", parsed.database or ""]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def table_count(url: str) -> int:
    """How many tables the database has (a missing SQLite file has none)."""
    if backend_of(url) == "sqlite" and not sqlite_path(url).exists():
        return 0
    with engine_for(url) as engine, engine.connect() as connection:
        return len(inspect(connection).get_table_names())


def refuse_non_empty(url: str) -> None:
    count = table_count(url)
    if count:
        raise DomainError(
            f"O banco de destino não está vazio ({count} tabela(s)). A restauração só é feita "
            "num banco novo e vazio, para não misturar dados: crie um banco vazio e tente de novo."
        )


def sqlite_copy(url: str, target: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API."""
    source = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()


def check_client_version(connection: Connection, program: str = "pg_dump") -> None:
    """pg_dump refuses servers newer than itself: say so before starting."""
    server = int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        raise DomainError(f"{program} não encontrado: instale o pacote postgresql-client.") from None
    match = re.search(r"(\d+)\.", out)
    client = int(match.group(1)) if match else 0
    if client < server:
        raise DomainError(
            f"{program} {client} não consegue copiar um servidor PostgreSQL {server}: "
            f"instale o cliente PostgreSQL {server} (postgresql-client-{server})."
        )


def start_pg_dump(url: str, snapshot: str, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """`pg_dump -Fc` of the exported snapshot `snapshot`, writing to its stdout."""
    args, env = pg_env(url)
    argv = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", *args]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603


def start_pg_restore(url: str, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """`pg_restore` reading a custom-format dump from stdin, all or nothing."""
    args, env = pg_env(url)
    argv = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args]
    return subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
