"""Consents and authorisations (LGPD legal basis per purpose) with their evidence files.

A benefit query (IN100) needs a valid authorisation: later domains call
`require_consent(session, client, ConsentPurpose.BENEFIT_QUERY)` before asking the bank.
Evidence files follow `portal.core.evidence` (checked by content, hashed, stored encrypted
under a random name); they are read back only through `read_evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from portal.clients.models import Client, Consent, ConsentChannel, ConsentPurpose, LegalBasis
from portal.clients.services import client_row, record_change
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.evidence import EvidenceKind
from portal.core.rotation import EncryptedFiles

# Purposes whose authorisation must come with a signed term or recording.
EVIDENCE_REQUIRED = {ConsentPurpose.BENEFIT_QUERY}
# For `flask rotate-data-key`: older evidence may still be in clear and gets encrypted.
EVIDENCE_FILES = EncryptedFiles(Consent.__table__.c.evidence_path, clear_allowed=True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Evidence:
    filename: str
    data: bytes


EVIDENCE = EvidenceKind(
    subdir="consents",
    max_bytes=5 * 1024 * 1024,
    messages={
        "empty": "Evidência: o arquivo está vazio.",
        "too_big": "Evidência: o arquivo excede 5 MB.",
        "type": "Evidência: envie um arquivo PDF, JPG ou PNG.",
    },
    default_filename="evidencia",
    absent="Esta autorização não tem arquivo de evidência.",
    missing="Arquivo de evidência não encontrado.",
)


def store_evidence(storage_dir: str | Path | None, evidence: Evidence) -> tuple[str, str, str, str]:
    """Write the file under `storage_dir`; returns (relative path, filename, mime, sha256)."""
    stored = EVIDENCE.store(storage_dir, evidence.filename, evidence.data)
    return stored.relative_path, stored.filename, stored.content_type, stored.sha256


def evidence_file(storage_dir: str | Path, consent: Consent) -> Path:
    """The stored evidence of `consent` (NotFound when absent or removed)."""
    return EVIDENCE.path(storage_dir, consent.evidence_path)


def read_evidence(storage_dir: str | Path, consent: Consent) -> bytes:
    """The clear content of `consent`'s evidence (decrypted; older clear files as they are)."""
    return EVIDENCE.read(storage_dir, consent.evidence_path)


def _choice(enum: type, raw: str, field: str, message: str) -> str:
    try:
        return enum(raw).value
    except ValueError:
        raise DomainError(message, field=field) from None


def grant_consent(
    session: Session,
    actor: Actor,
    client: Client,
    *,
    purpose: str,
    legal_basis: str,
    channel: str,
    granted_at: datetime | None = None,
    evidence: Evidence | None = None,
    storage_dir: str | Path | None = None,
) -> Consent:
    """Record a consent/authorisation; validation happens before the file is written."""
    if client.is_anonymised:
        raise DomainError("Cliente anonimizado: não é possível registrar autorizações.")
    purpose = _choice(ConsentPurpose, purpose, "purpose", "Escolha a finalidade.")
    legal_basis = _choice(LegalBasis, legal_basis, "legal_basis", "Escolha a base legal.")
    channel = _choice(ConsentChannel, channel, "channel", "Escolha o canal.")
    now = utcnow()
    granted_at = granted_at or now
    if granted_at > now:
        raise DomainError("A data da autorização não pode estar no futuro.", field="granted_at")
    if evidence is None and purpose in EVIDENCE_REQUIRED:
        raise DomainError("Anexe o termo de autorização assinado (PDF, JPG ou PNG).", field="evidence")
    consent = Consent(
        client_id=client.id,
        purpose=purpose,
        legal_basis=legal_basis,
        channel=channel,
        granted_at=granted_at,
        granted_by_id=actor.id,
    )
    if evidence is not None:
        stored = store_evidence(storage_dir, evidence)
        consent.evidence_path, consent.evidence_filename, consent.evidence_mime, consent.evidence_sha256 = (
            stored
        )
    session.add(consent)
    session.flush()
    record_change(
        session,
        actor,
        client,
        "consent.granted",
        f"Autorização registrada: {consent.purpose_label}.",
        "client.consent_granted",
        {"consent_id": consent.id, "purpose": purpose, "sha256": consent.evidence_sha256},
    )
    return consent


def get_consent(session: Session, client: Client, consent_id: int) -> Consent:
    return client_row(session, Consent, client, consent_id, "Autorização não encontrada.")


def revoke_consent(session: Session, actor: Actor, client: Client, consent_id: int) -> Consent:
    consent = get_consent(session, client, consent_id)
    if consent.revoked_at is not None:
        raise DomainError("Esta autorização já foi revogada.")
    consent.revoked_at = utcnow()
    consent.revoked_by_id = actor.id
    session.flush()
    record_change(
        session,
        actor,
        client,
        "consent.revoked",
        f"Autorização revogada: {consent.purpose_label}.",
        "client.consent_revoked",
        {"consent_id": consent.id},
    )
    return consent


def _valid_condition(client: Client, purpose: str, on: datetime):
    return (
        (Consent.client_id == client.id)
        & (Consent.purpose == purpose)
        & (Consent.granted_at <= on)
        & or_(Consent.revoked_at.is_(None), Consent.revoked_at > on)
    )


def has_valid_consent(
    session: Session, client: Client, purpose: ConsentPurpose | str, on: datetime | None = None
) -> bool:
    """True when a consent for `purpose` was granted and not revoked at instant `on`."""
    condition = _valid_condition(client, ConsentPurpose(purpose).value, on or utcnow())
    return bool(session.scalar(select(exists().where(condition))))


def require_consent(
    session: Session, client: Client, purpose: ConsentPurpose | str, on: datetime | None = None
) -> None:
    """Raise DomainError unless the client authorised `purpose` (e.g. IN100 queries)."""
    purpose = ConsentPurpose(purpose)
    if client.is_anonymised or not has_valid_consent(session, client, purpose, on):
        if purpose == ConsentPurpose.BENEFIT_QUERY:
            raise DomainError("Cliente sem autorização de consulta")
        raise DomainError(f"Cliente sem autorização para: {purpose.label}.")
