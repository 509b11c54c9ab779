"""The backup manifest: what a backup holds, so a restore can be proven equal.

Per table: the row count and a SHA-256 over every row read in primary-key order (text keys
compared byte-wise, `COLLATE "C"` on PostgreSQL, SQLite's default): each value becomes a
typed token (`i42`, `s…`, `N` for NULL, ...) prefixed by its length, so the same algorithm
runs on SQLite and on PostgreSQL and a restored database is checked by recomputing it.
Plus the SHA-256 and size of the database file stored in restic and of every storage file.
The manifest carries a hash of its own content, so a damaged manifest is noticed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import String, inspect, text
from sqlalchemy.engine import Connection

FORMAT = 1
BATCH = 2000


class ManifestError(Exception):
    """The manifest is unreadable or does not match its own checksum."""


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


def _token(value: Any) -> str:
    if value is None:
        return "N"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, Decimal):
        return f"d{value}"
    if isinstance(value, str):
        return f"s{value}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"x{bytes(value).hex()}"
    if isinstance(value, datetime | date | time):
        return f"t{value.isoformat()}"
    if isinstance(value, dict | list):
        return "j" + json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return f"o{value}"


def row_bytes(row: Any) -> bytes:
    """One row's canonical bytes: length-prefixed tokens, a newline at the end."""
    parts = [f"{len(token)}:{token}" for token in map(_token, row)]
    return ("".join(parts) + "\n").encode("utf-8", "surrogatepass")


def table_sums(connection: Connection) -> dict[str, TableSum]:
    """Row count and checksum of every table of the database (read in one transaction)."""
    inspector = inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    postgres = connection.dialect.name == "postgresql"
    sums: dict[str, TableSum] = {}
    for table in sorted(inspector.get_table_names()):
        columns = inspector.get_columns(table)
        names = [column["name"] for column in columns]
        textual = {column["name"] for column in columns if isinstance(column["type"], String)}
        keys = inspector.get_pk_constraint(table).get("constrained_columns") or names
        order = ", ".join(
            quote(key) + (' COLLATE "C"' if postgres and key in textual else "") for key in keys
        )
        sql = f"SELECT {', '.join(map(quote, names))} FROM {quote(table)} ORDER BY {order}"  # noqa: S608
        digest = hashlib.sha256()
        count = 0
        result = connection.execution_options(stream_results=True).execute(text(sql))
        while batch := result.fetchmany(BATCH):
            for row in batch:
                digest.update(row_bytes(row))
            count += len(batch)
        result.close()
        sums[table] = TableSum(count, digest.hexdigest())
    return sums


def compare_tables(expected: dict[str, TableSum], actual: dict[str, TableSum]) -> list[str]:
    """The differences between two sets of table sums, in pt-BR (empty = equal)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if got is None:
            problems.append(f"Tabela {table} ausente no banco restaurado.")
        elif want is None:
            problems.append(f"Tabela {table} não consta do manifesto.")
        elif want.rows != got.rows:
            problems.append(f"Tabela {table}: {got.rows} linha(s), o manifesto diz {want.rows}.")
        elif want.checksum != got.checksum:
            problems.append(f"Tabela {table}: conteúdo diferente do manifesto (soma de verificação).")
    return problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def storage_files(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every regular file under `root`."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): file_sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def compare_storage(expected: dict[str, str], root: Path) -> list[str]:
    problems = []
    for name, digest in sorted(expected.items()):
        path = root / name
        if not path.is_file():
            problems.append(f"Arquivo {name} ausente no armazenamento restaurado.")
        elif file_sha256(path) != digest:
            problems.append(f"Arquivo {name} diferente do manifesto.")
    return problems


@dataclass
class Manifest:
    backup_id: str
    created_at: str
    backend: str
    database_file: str
    tables: dict[str, TableSum]
    database_sha256: str = ""
    database_bytes: int = 0
    storage_dir: str = ""
    storage: dict[str, str] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(item.rows for item in self.tables.values())

    def _body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "backup_id": self.backup_id,
            "created_at": self.created_at,
            "backend": self.backend,
            "database_file": self.database_file,
            "database_sha256": self.database_sha256,
            "database_bytes": self.database_bytes,
            "tables": {name: {"rows": s.rows, "checksum": s.checksum} for name, s in self.tables.items()},
            "storage_dir": self.storage_dir,
            "storage": self.storage,
        }

    def to_json(self) -> bytes:
        body = self._body()
        body["manifest_sha256"] = _self_hash(body)
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            body = json.loads(raw)
            claimed = body.pop("manifest_sha256")
            if body.get("format") != FORMAT:
                raise ManifestError("Formato de manifesto desconhecido.")
            if claimed != _self_hash(body):
                raise ManifestError("Manifesto corrompido: a soma de verificação dele não confere.")
            return cls(
                backup_id=body["backup_id"],
                created_at=body["created_at"],
                backend=body["backend"],
                database_file=body["database_file"],
                tables={n: TableSum(int(t["rows"]), str(t["checksum"])) for n, t in body["tables"].items()},
                database_sha256=body["database_sha256"],
                database_bytes=int(body["database_bytes"]),
                storage_dir=body.get("storage_dir", ""),
                storage=dict(body.get("storage") or {}),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ManifestError(f"Manifesto ilegível: {error}") from None


def _self_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
