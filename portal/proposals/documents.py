"""Proposal documents: validated by content, encrypted at rest, stored under random names.

Rules (everything refused raises DomainError in Portuguese and stores nothing):
- only PDF, JPEG and PNG, recognised by their magic bytes, never by the file name
  (the shared rule of `portal.core.uploads`, plus the checks below);
- a per-document size limit (the request limit, MAX_CONTENT_LENGTH, answers 413 before);
- no ZIP containers or polyglots (a ZIP central directory anywhere the ZIP readers look);
- no PDFs with active content (JavaScript, launch actions, embedded files, rich media,
  XFA forms), their names recognised also when hex-escaped (`/J#61vaScript`). Only the
  file's uncompressed bytes are inspected: names inside compressed object streams are not
  (documents are only ever served as attachments under a sandboxing CSP, never rendered
  by the portal);
- images with absurd dimensions (decompression bombs) are refused;
- the uploaded name is reduced to a safe display name and never used as a path.
Files are written as `STORAGE_DIR/proposals/<ab>/<random hex>` with AES-GCM (key id kept,
the random name bound as associated data) and read back only through `read_document`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.core import audit, uploads
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.core.rotation import EncryptedFiles
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalDocument
from portal.proposals.trail import proposal_row, record_user_action

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # ~ 60 megapixels: more than any phone photo of a document
NAME_MAX = 120

KINDS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
ALLOWED_TEXT = "PDF, JPG ou PNG"
_ACTIVE_NAME = rb"(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b"
_PDF_ACTIVE = re.compile(rb"/" + _ACTIVE_NAME)
_ACTIVE_DECODED = re.compile(_ACTIVE_NAME)
# A PDF name: "/" then regular characters (anything but white space and delimiters).
# Any of them may be written "#xx" (two hex digits), e.g. /J#61vaScript = /JavaScript.
_NAME_CHAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_ESCAPED_NAME = re.compile(rb"/(" + _NAME_CHAR + rb"*#[0-9A-Fa-f]{2}" + _NAME_CHAR + rb"*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    data: bytes
    display_name: str


def detect_type(data: bytes) -> str | None:
    """The MIME type told by the bytes themselves (the shared rule of portal.core.uploads)."""
    try:
        return uploads.sniff(data[:16], uploads.DOCUMENT_TYPES, "", "file")[0]
    except DomainError:
        return None


def safe_display_name(filename: str | None, content_type: str) -> str:
    """The shared safe name (basename, harmless characters) with the real type's extension."""
    cleaned = uploads.safe_filename(filename, "documento")
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem.strip(" ._")[: NAME_MAX - 5] or "documento"
    return f"{stem}.{KINDS[content_type]}"


def _png_pixels(data: bytes) -> int:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise DomainError("Imagem PNG corrompida.", field="file")
    width, height = struct.unpack(">II", data[16:24])
    return width * height


def _jpeg_pixels(data: bytes) -> int:
    """Dimensions from the first SOF marker (walks the segment headers only)."""
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            pos += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width * height
        pos += 2 + length
    raise DomainError("Imagem JPEG corrompida.", field="file")


def decode_pdf_name(raw: bytes) -> bytes:
    """A PDF name with its "#xx" escapes decoded (the name as a PDF reader sees it)."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _pdf_has_active_content(data: bytes) -> bool:
    """Active-content names in the file's uncompressed bytes, written plainly or hex-escaped."""
    if _PDF_ACTIVE.search(data):
        return True
    return any(_ACTIVE_DECODED.match(decode_pdf_name(m.group(1))) for m in _ESCAPED_NAME.finditer(data))


def check_upload(data: bytes, filename: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """Validate an upload; raise DomainError (nothing stored) when it is not acceptable."""
    uploads.refuse_path_in_name(filename)
    if not data:
        raise DomainError("O arquivo está vazio.", field="file")
    if len(data) > max_bytes:
        raise DomainError(
            f"Arquivo muito grande: o limite por documento é {max_bytes // (1024 * 1024)} MB.", field="file"
        )
    content_type = detect_type(data)
    if content_type is None:
        raise DomainError(
            f"Tipo de arquivo não aceito: envie {ALLOWED_TEXT} (o conteúdo foi verificado, não o nome).",
            field="file",
        )
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise DomainError("Arquivos compactados (ZIP) ou disfarçados não são aceitos.", field="file")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise DomainError("PDF incompleto ou corrompido.", field="file")
        if _pdf_has_active_content(data):
            raise DomainError("PDF com conteúdo ativo (scripts ou anexos) não é aceito.", field="file")
    else:
        pixels = _png_pixels(data) if content_type == "image/png" else _jpeg_pixels(data)
        if not 0 < pixels <= MAX_PIXELS:
            raise DomainError("Imagem com dimensões inválidas ou grandes demais.", field="file")
    return CheckedFile(content_type, data, safe_display_name(filename, content_type))


def _relative(storage_name: str) -> str:
    """Where a document lives under the storage directory (its name is its associated data)."""
    if not re.fullmatch(r"[0-9a-f]{32}", storage_name):
        raise NotFound("Documento não encontrado.")
    return f"proposals/{storage_name[:2]}/{storage_name}"


def _path(storage_dir: str | os.PathLike[str], storage_name: str) -> Path:
    return Path(storage_dir) / _relative(storage_name)


# For `flask rotate-data-key`: every document is encrypted, its key id kept in `key_id`.
DOCUMENT_FILES = EncryptedFiles(
    ProposalDocument.__table__.c.storage_name,  # type: ignore[arg-type]
    locate=_relative,
    key_id_column=ProposalDocument.__table__.c.key_id,  # type: ignore[arg-type]
)


def store_document(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    data: bytes,
    filename: str | None,
    storage_dir: str | os.PathLike[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ProposalDocument:
    """Validate, encrypt and write the file, then record it (event + audit)."""
    checked = check_upload(data, filename, max_bytes)
    ring = get_keyring()
    storage_name = secrets.token_hex(16)
    path = _path(storage_dir, storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(ring.encrypt_bytes(checked.data, storage_name))
    os.replace(temporary, path)
    try:
        document = ProposalDocument(
            proposal_id=proposal.id,
            original_name=checked.display_name,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=hashlib.sha256(checked.data).hexdigest(),
            storage_name=storage_name,
            key_id=ring.current_id,
            uploaded_by_id=actor.id,
            uploaded_at=utcnow(),
        )
        session.add(document)
        session.flush()
        record_user_action(
            session,
            actor,
            proposal,
            f"Documento anexado: {checked.display_name}",
            "proposal.document_added",
            {"doc": document.id},
            {"document_id": document.id},
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document


def documents_of(session: Session, proposal: Proposal) -> list[ProposalDocument]:
    return list(
        session.scalars(
            select(ProposalDocument)
            .where(ProposalDocument.proposal_id == proposal.id)
            .options(joinedload(ProposalDocument.uploaded_by))
            .order_by(ProposalDocument.id)
        )
    )


def get_document(session: Session, proposal: Proposal, document_id: int) -> ProposalDocument:
    return proposal_row(session, ProposalDocument, proposal, document_id, "Documento não encontrado.")


def read_document(
    session: Session, actor: Actor, document: ProposalDocument, storage_dir: str | os.PathLike[str]
) -> bytes:
    """Decrypt a document for download (the caller has already checked access); audited."""
    path = _path(storage_dir, document.storage_name)
    try:
        blob = path.read_bytes()
    except OSError:
        raise NotFound("Arquivo do documento não encontrado no armazenamento.") from None
    data = get_keyring().decrypt_bytes(blob, document.storage_name)
    audit.record(
        session, actor, "proposal.document_read", f"proposal:{document.proposal_id}", {"doc": document.id}
    )
    return data
