"""The kept copy of an import file: encrypted at rest (bank files carry contract numbers
and sometimes CPFs), materialised as a temporary file while it is read."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from portal.core.crypto import get_keyring
from portal.core.errors import DomainError

FOLDER = "data-imports"


def _path(storage_dir: str | os.PathLike[str], name: str) -> Path:
    if not name.isalnum():
        raise DomainError("Arquivo de importação inválido.")
    return Path(storage_dir) / FOLDER / name


def keep(data: bytes, storage_dir: str | os.PathLike[str]) -> str:
    """Store `data` encrypted under a random name; returns the name."""
    name = secrets.token_hex(16)
    path = _path(storage_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(get_keyring().encrypt_bytes(data, name))
    return name


def discard(storage_dir: str | os.PathLike[str], name: str | None) -> None:
    if name:
        _path(storage_dir, name).unlink(missing_ok=True)


@contextmanager
def opened(storage_dir: str | os.PathLike[str], name: str, suffix: str = "") -> Iterator[Path]:
    """The kept file decrypted into a private temporary file, removed afterwards."""
    try:
        blob = _path(storage_dir, name).read_bytes()
    except OSError as exc:
        raise DomainError("O arquivo desta importação não está mais disponível: envie-o de novo.") from exc
    with tempfile.TemporaryDirectory(prefix="athenas-import-") as folder:
        path = Path(folder) / f"arquivo{suffix}"
        path.write_bytes(get_keyring().decrypt_bytes(blob, name))
        yield path
