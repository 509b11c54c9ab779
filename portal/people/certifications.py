"""Certifications of credit staff (Res. CMN 4.935/2021) and the eligibility rule.

A certification is valid from `issued_on` through `expires_on` inclusive unless revoked.
The collaborator's state on a day comes from their best (latest-expiring) valid one:
"valid", "expiring" (≤ 30 days left), "expired" or "missing". Proposals may only be
submitted by an active collaborator whose state is valid or expiring:
`can_submit_proposals(session, collaborator, on)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.core.evidence import EvidenceKind
from portal.core.rotation import EncryptedFiles
from portal.people import validation
from portal.people.constants import (
    EXPIRING_WINDOW_DAYS,
    ISSUER_LABELS,
    CertIssuer,
    CertState,
    CollaboratorStatus,
)
from portal.people.models import Certification, Collaborator, User
from portal.people.scope import visible_collaborator_ids

# For `flask rotate-data-key`: older evidence may still be in clear and gets encrypted.
EVIDENCE_FILES = EncryptedFiles(Certification.__table__.c.evidence_path, clear_allowed=True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str | None = None


@dataclass(frozen=True)
class EvidenceUpload:
    filename: str
    stream: BinaryIO


def state_for_expiry(expires_on: date | None, on: date) -> CertState:
    """State given the latest expiry among the certifications in force on `on`."""
    if expires_on is None:
        return CertState.MISSING
    if expires_on < on:
        return CertState.EXPIRED
    if expires_on - on <= timedelta(days=EXPIRING_WINDOW_DAYS):
        return CertState.EXPIRING
    return CertState.VALID


def _in_force(cert: Certification, on: date) -> bool:
    return cert.revoked_at is None and cert.issued_on <= on


def best_certification(collaborator: Collaborator, on: date) -> Certification | None:
    """The certification that expires last among those issued by `on` and not revoked."""
    candidates = [c for c in collaborator.certifications if _in_force(c, on)]
    return max(candidates, key=lambda c: (c.expires_on, c.id), default=None)


def certification_state(collaborator: Collaborator, on: date) -> CertState:
    best = best_certification(collaborator, on)
    return state_for_expiry(best.expires_on if best else None, on)


def can_submit_proposals(session: Session, collaborator: Collaborator, on: date) -> Eligibility:
    """May `collaborator` submit a proposal on day `on`? With a Portuguese reason if not."""
    if collaborator.status != CollaboratorStatus.ACTIVE.value or (
        collaborator.left_on is not None and collaborator.left_on <= on
    ):
        return Eligibility(False, "Colaborador inativo")
    expiry = session.scalar(best_expiry_query(on).where(Certification.collaborator_id == collaborator.id))
    state = state_for_expiry(expiry, on)
    if state is CertState.EXPIRED:
        return Eligibility(False, f"Certificação vencida em {expiry:%d/%m/%Y}")
    if state is CertState.MISSING:
        return Eligibility(False, "Sem certificação válida")
    return Eligibility(True)


def best_expiry_query(on: date) -> Select:
    """SELECT max(expires_on) of the certifications in force on `on` (add a collaborator filter)."""
    return select(func.max(Certification.expires_on)).where(
        Certification.revoked_at.is_(None), Certification.issued_on <= on
    )


def best_expiry_by_collaborator(on: date) -> Select:
    """(collaborator_id, best_expiry) rows, to join or correlate in list queries."""
    return (
        select(Certification.collaborator_id, func.max(Certification.expires_on).label("best_expiry"))
        .where(Certification.revoked_at.is_(None), Certification.issued_on <= on)
        .group_by(Certification.collaborator_id)
    )


@dataclass(frozen=True)
class CertWarning:
    collaborator_id: int
    name: str
    state: CertState
    expires_on: date | None


def expiring_certifications_for(session: Session, user: User, on: date, limit: int = 50) -> list[CertWarning]:
    """Active collaborators visible to `user` whose certification expires within 30 days,
    has expired or is missing: soonest problem first. One query."""
    best = best_expiry_by_collaborator(on).subquery()
    horizon = on + timedelta(days=EXPIRING_WINDOW_DAYS)
    stmt = (
        select(Collaborator.id, Collaborator.name, best.c.best_expiry)
        .outerjoin(best, best.c.collaborator_id == Collaborator.id)
        .where(Collaborator.status == CollaboratorStatus.ACTIVE.value)
        .where((best.c.best_expiry.is_(None)) | (best.c.best_expiry <= horizon))
        .order_by(best.c.best_expiry.is_(None), best.c.best_expiry, Collaborator.name, Collaborator.id)
        .limit(limit)
    )
    visible = visible_collaborator_ids(session, user, on)
    if visible is not None:
        stmt = stmt.where(Collaborator.id.in_(visible))
    return [
        CertWarning(cid, name, state_for_expiry(exp, on), exp) for cid, name, exp in session.execute(stmt)
    ]


EVIDENCE = EvidenceKind(
    subdir="certifications",
    max_bytes=10 * 1024 * 1024,
    messages={
        "empty": "O arquivo enviado está vazio.",
        "too_big": "O comprovante deve ter no máximo 10 MB.",
        "type": "Envie o comprovante em PDF, JPG ou PNG.",
    },
    default_filename="comprovante",
    absent="Esta certificação não tem comprovante.",
    missing="Comprovante não encontrado.",
)


def store_evidence(upload: EvidenceUpload, storage_dir: Path | None) -> dict[str, str]:
    """Check and write an evidence file (encrypted) under a random name; returns the column values."""
    stored = EVIDENCE.store(storage_dir, upload.filename, upload.stream.read(EVIDENCE.max_bytes + 1))
    return {
        "evidence_path": stored.relative_path,
        "evidence_sha256": stored.sha256,
        "evidence_filename": stored.filename,
        "evidence_content_type": stored.content_type,
    }


def evidence_file(certification: Certification, storage_dir: Path) -> Path:
    """Absolute path of the stored evidence, refusing anything outside the storage dir."""
    return EVIDENCE.path(storage_dir, certification.evidence_path)


def read_evidence(certification: Certification, storage_dir: Path) -> bytes:
    """The clear content of the evidence (decrypted; older clear files as they are)."""
    return EVIDENCE.read(storage_dir, certification.evidence_path)


def add_certification(
    session: Session,
    actor: Actor,
    collaborator: Collaborator,
    *,
    issuer: str,
    number: str,
    issued_on: date | None,
    expires_on: date | None,
    evidence: EvidenceUpload | None = None,
    storage_dir: Path | None = None,
) -> Certification:
    """Record a certification; the evidence file (optional) is checked by content."""
    issuer = validation.choice(issuer, {i.value for i in CertIssuer}, "issuer", "Emissor inválido.")
    clean_number = validation.text(number, "number", "o número da certificação", 60)
    if issued_on is None:
        raise DomainError("Informe a data de emissão.", field="issued_on")
    if expires_on is None:
        raise DomainError("Informe a data de validade.", field="expires_on")
    validation.date_order(issued_on, expires_on, "expires_on", "A validade deve ser posterior à emissão.")
    files: dict[str, str] = {}
    if evidence is not None:
        files = store_evidence(evidence, storage_dir)
    cert = Certification(
        collaborator_id=collaborator.id,
        issuer=issuer,
        number=clean_number,
        issued_on=issued_on,
        expires_on=expires_on,
        **files,
    )
    session.add(cert)
    session.flush()
    session.expire(collaborator, ["certifications"])
    audit.record(
        session,
        actor,
        "certification.added",
        f"collaborator:{collaborator.id}",
        {
            "certification": cert.id,
            "issuer": ISSUER_LABELS[CertIssuer(issuer)],
            "expires_on": expires_on.isoformat(),
        },
    )
    return cert


def get_certification(session: Session, collaborator: Collaborator, certification_id: int) -> Certification:
    cert = session.get(Certification, certification_id)
    if cert is None or cert.collaborator_id != collaborator.id:
        raise NotFound("Certificação não encontrada.")
    return cert


def revoke_certification(session: Session, actor: Actor, certification: Certification) -> None:
    """Revoke (the record and its evidence stay, for the history)."""
    if certification.revoked_at is not None:
        raise DomainError("Esta certificação já foi revogada.")
    certification.revoked_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "certification.revoked",
        f"collaborator:{certification.collaborator_id}",
        {"certification": certification.id},
    )
