"""Uploaded files: type checked by content, size-limited, hashed, stored under a random name.

Every domain that keeps evidence or documents (consents, certifications, proposal
documents) goes through here, so the same rules hold everywhere:
- the type comes from the first bytes (PDF, PNG, JPEG), never from the name or the
  browser's content type — a script renamed `.pdf` is refused;
- a name carrying folders is refused; the original name is kept only for display;
- the stored path is relative to the storage directory and resolved back safely.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from portal.core.errors import DomainError, NotFound

PDF = (b"%PDF-", "application/pdf", ".pdf")
PNG = (b"\x89PNG\r\n\x1a\n", "image/png", ".png")
JPEG = (b"\xff\xd8\xff", "image/jpeg", ".jpg")
DOCUMENT_TYPES = (PDF, PNG, JPEG)


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    filename: str
    content_type: str
    sha256: str
    size: int


def sniff(
    data: bytes, allowed: tuple[tuple[bytes, str, str], ...], message: str, field: str
) -> tuple[str, str]:
    """(content type, extension) from the magic bytes, or DomainError(`message`)."""
    for magic, content_type, extension in allowed:
        if data.startswith(magic):
            return content_type, extension
    raise DomainError(message, field=field)


PATH_IN_NAME = "Nome de arquivo com caminho de pastas não é aceito: envie apenas o arquivo."


def refuse_path_in_name(name: str | None, field: str = "file") -> None:
    """A browser sends a bare file name; one with folders ("../", "C:\\...") is an attack
    or a broken client, and is refused rather than silently cleaned."""
    if name and ("/" in name or "\\" in name):
        raise DomainError(PATH_IN_NAME, field=field)


def safe_filename(name: str | None, default: str) -> str:
    """The display name: last path component only, harmless characters, bounded length."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or default
    return base[-120:]


def store_upload(
    storage_dir: str | Path,
    subdir: str,
    data: bytes,
    *,
    filename: str | None,
    max_bytes: int,
    messages: dict[str, str],
    field: str = "file",
    allowed: tuple[tuple[bytes, str, str], ...] = DOCUMENT_TYPES,
) -> StoredFile:
    """Validate and write `data`; `messages` has "empty", "too_big" and "type" texts."""
    refuse_path_in_name(filename, field)
    if not data:
        raise DomainError(messages["empty"], field=field)
    if len(data) > max_bytes:
        raise DomainError(messages["too_big"], field=field)
    content_type, extension = sniff(data[:16], allowed, messages["type"], field)
    relative = f"{subdir}/{secrets.token_hex(16)}{extension}"
    target = Path(storage_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return StoredFile(
        relative_path=relative,
        filename=safe_filename(filename, f"arquivo{extension}"),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def resolve_stored(storage_dir: str | Path, relative: str | None, missing: str) -> Path:
    """Absolute path of a stored file; NotFound(`missing`) when absent or outside storage."""
    if not relative:
        raise NotFound(missing)
    root = Path(storage_dir).resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(missing)
    return path
