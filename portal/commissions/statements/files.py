"""Stored statement PDFs: encrypted at rest (AES-GCM, the relative path as associated
data, like every other stored file), written atomically, read back only decrypted."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from portal.commissions.statements.models import Statement
from portal.core import uploads
from portal.core.crypto import get_keyring
from portal.core.rotation import EncryptedFiles

# For `flask rotate-data-key`: the column naming each stored PDF (path = associated data).
PDF_FILES = EncryptedFiles(Statement.__table__.c.pdf_path)  # type: ignore[arg-type]
MISSING = "PDF do extrato não encontrado."


def store_pdf(storage_dir: str | Path, statement: Statement, pdf: bytes) -> None:
    """Encrypt and write the PDF; record its path, size and SHA-256 on the statement."""
    relative = f"statements/{statement.period}/{secrets.token_hex(16)}.pdf"
    target = Path(storage_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    uploads.write_atomically(target, get_keyring().encrypt_bytes(pdf, relative))
    statement.pdf_path = relative
    statement.pdf_size = len(pdf)
    statement.pdf_sha256 = hashlib.sha256(pdf).hexdigest()


def read_pdf(storage_dir: str | Path, statement: Statement) -> bytes:
    """The clear PDF (NotFound when none was stored; CryptoError when tampered)."""
    return uploads.read_stored(storage_dir, statement.pdf_path, MISSING)


def download_name(statement: Statement) -> str:
    return f"extrato-{statement.period}-{statement.id}.pdf"
