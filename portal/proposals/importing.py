"""Encrypted kept files under `imports/`: the spreadsheets of the proposals import that
ran before the import hub (`ProposalImport` rows, still rotated with the data key) and
the commission calculator's uploads. New imports keep their files through
`portal.core.imports.storage`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from portal.core.crypto import get_keyring
from portal.core.errors import DomainError


def keep_file(data: bytes, storage_dir: str | os.PathLike[str]) -> str:
    """Store an uploaded spreadsheet encrypted (it holds CPFs); returns its random name."""
    name = secrets.token_hex(16)
    path = Path(storage_dir) / "imports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(get_keyring().encrypt_bytes(data, name))
    return name


def _kept_path(storage_name: str, storage_dir: str | os.PathLike[str]) -> Path:
    if not storage_name.isalnum():
        raise DomainError("Arquivo de importação inválido.")
    return Path(storage_dir) / "imports" / storage_name


def read_kept_file(storage_name: str, storage_dir: str | os.PathLike[str]) -> bytes:
    blob = _kept_path(storage_name, storage_dir).read_bytes()
    return get_keyring().decrypt_bytes(blob, storage_name)
