"""Uploaded files: checked at the upload gate, hashed, stored under a random name.

Every domain that keeps evidence or documents (consents, certifications, proposal
documents) goes through here, so the same rules hold everywhere:
- the content passes `portal.core.upload_checks.check_document` (type from the first
  bytes, no active PDF content, no polyglots, sane image dimensions);
- the original name is kept only for display;
- the stored path is relative to the storage directory and resolved back safely;
- the content is encrypted at rest (AES-GCM, `KeyRing.encrypt_bytes`, key id at the head
  of the file, the relative path bound as associated data so a file copied over another
  one fails to decrypt) and read back only through `read_stored`. Files written in clear
  before encryption existed start with their magic bytes (a key id never does), so they
  stay readable; `flask rotate-data-key` encrypts them.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from portal.core.crypto import get_keyring
from portal.core.errors import NotFound
from portal.core.upload_checks import (  # noqa: F401 - the names callers use through this module
    DOCUMENT_TYPES,
    JPEG,
    PATH_IN_NAME,
    PDF,
    PNG,
    check_document,
    refuse_path_in_name,
    sniff,
)


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    filename: str
    content_type: str
    sha256: str
    size: int


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
    encrypt: bool = True,
) -> StoredFile:
    """Check `data` at the upload gate (`upload_checks.check_document`), then write it;
    `messages` has "empty", "too_big" and "type" texts.

    With `encrypt` (the default) the file on disk is `encrypt_bytes(data)` under the
    current key; the SHA-256 and size are always those of the clear content."""
    checked = check_document(
        data, filename, max_bytes=max_bytes, messages=messages, field=field, allowed=allowed
    )
    content_type, extension = checked.content_type, checked.extension
    relative = f"{subdir}/{secrets.token_hex(16)}{extension}"
    target = Path(storage_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, get_keyring().encrypt_bytes(data, relative) if encrypt else data)
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


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it over `path`:
    a reader sees the old or the new content, never a half-written file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def is_clear(blob: bytes) -> bool:
    """True for a file written before encryption: it starts with a document's magic bytes
    (`%PDF-`, PNG, JPEG), which no `encrypt_bytes` output does (key ids are [A-Za-z0-9_-])."""
    return any(bytes(blob[: len(magic)]) == magic for magic, _type, _ext in DOCUMENT_TYPES)


def open_stored(blob: bytes, relative: str) -> bytes:
    """The clear content of a stored file's bytes (`relative` is its associated data)."""
    if is_clear(blob):
        return bytes(blob)
    return get_keyring().decrypt_bytes(blob, relative)


def read_stored(storage_dir: str | Path, relative: str | None, missing: str) -> bytes:
    """The clear content of a stored file; NotFound(`missing`) when absent or outside storage.

    Encrypted files are decrypted with whichever key of the ring wrote them; a file
    that fails authentication (tampered, swapped) raises CryptoError, never garbage."""
    path = resolve_stored(storage_dir, relative, missing)
    try:
        blob = path.read_bytes()
    except OSError:
        raise NotFound(missing) from None
    return open_stored(blob, str(relative))
