"""Proposal documents: validated by content, encrypted at rest, stored under random names.

Rules (everything refused raises DomainError in Portuguese and stores nothing):
- the shared upload gate, `portal.core.upload_checks.check_document`: PDF, JPEG and PNG
  by their magic bytes, no active PDF content, no polyglots, sane image dimensions;
- a per-document size limit (the request limit, MAX_CONTENT_LENGTH, answers 413 before);
- the uploaded name is reduced to a safe display name and never used as a path.
Files are written as `STORAGE_DIR/proposals/<ab>/<random hex>` with AES-GCM (key id kept,
the random name bound as associated data) and read back only through `read_document`.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from portal.core import audit, upload_checks, uploads
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.core.rotation import EncryptedFiles
from portal.people.models import User
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalDocument
from portal.proposals.trail import proposal_row, record_user_action

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = 120

KINDS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
ALLOWED_TEXT = "PDF, JPG ou PNG"


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


def check_upload(data: bytes, filename: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """Validate an upload at the shared gate; raise DomainError (nothing stored) when it
    is not acceptable."""
    messages = {
        "empty": "O arquivo está vazio.",
        "too_big": f"Arquivo muito grande: o limite por documento é {max_bytes // (1024 * 1024)} MB.",
        "type": f"Tipo de arquivo não aceito: envie {ALLOWED_TEXT} (o conteúdo foi verificado, não o nome).",
    }
    checked = upload_checks.check_document(data, filename, max_bytes=max_bytes, messages=messages)
    return CheckedFile(checked.content_type, data, safe_display_name(filename, checked.content_type))


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


@cache
def _documents_statement() -> Select:
    """The documents of the proposal bound as `proposal_id`, with who sent them (built once)."""
    return (
        select(ProposalDocument)
        .where(ProposalDocument.proposal_id == bindparam("proposal_id"))
        .options(joinedload(ProposalDocument.uploaded_by).load_only(User.id, User.name))
        .order_by(ProposalDocument.id)
    )


def documents_of(session: Session, proposal: Proposal) -> list[ProposalDocument]:
    return list(session.scalars(_documents_statement(), {"proposal_id": proposal.id}))


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
