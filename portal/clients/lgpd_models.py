"""ORM models of the LGPD console: data-subject requests, retention runs, security incidents.

No personal data is stored here beyond the link to the client (whose data stays encrypted in
`clients`): requests carry a protocol reference and short notes, incidents describe what
happened and how many subjects were affected."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum


class RequestKind(LabeledEnum):
    """Rights of the data subject (LGPD art. 18)."""

    CONFIRMATION = "confirmacao"
    ACCESS = "acesso"
    CORRECTION = "correcao"
    ANONYMISATION = "anonimizacao"
    PORTABILITY = "portabilidade"
    DELETION = "eliminacao"
    SHARING = "compartilhamento"
    CONSENT_REVOCATION = "revogacao"


RequestKind.__labels__ = {
    RequestKind.CONFIRMATION: "Confirmação de tratamento",
    RequestKind.ACCESS: "Acesso aos dados",
    RequestKind.CORRECTION: "Correção",
    RequestKind.ANONYMISATION: "Anonimização ou bloqueio",
    RequestKind.PORTABILITY: "Portabilidade",
    RequestKind.DELETION: "Eliminação",
    RequestKind.SHARING: "Informação sobre compartilhamento",
    RequestKind.CONSENT_REVOCATION: "Revogação do consentimento",
}


class SubjectRequest(Base):
    """A data subject's request: received, due 15 days later (art. 19, II), answered."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60), default="")  # protocol / channel reference
    channel: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    answered_by_label: Mapped[str] = mapped_column(String(200), default="")

    @property
    def kind_label(self) -> str:
        return RequestKind(self.kind).label


class RetentionRun(Base):
    """One run of the retention routine: what it flagged and anonymised, and what it skipped."""

    __tablename__ = "privacy_retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    years: Mapped[int] = mapped_column(Integer)
    anonymise: Mapped[bool] = mapped_column(default=False)
    grace_days: Mapped[int] = mapped_column(Integer, default=30)
    state: Mapped[str] = mapped_column(String(10), default="queued")  # queued, done, failed
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    anonymised: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(Integer)
    started_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentSeverity(LabeledEnum):
    LOW = "baixa"
    MEDIUM = "media"
    HIGH = "alta"


IncidentSeverity.__labels__ = {
    IncidentSeverity.LOW: "Baixa",
    IncidentSeverity.MEDIUM: "Média",
    IncidentSeverity.HIGH: "Alta",
}


class SecurityIncident(Base):
    """A security incident with personal data: the ANPD and the subjects must be told within
    3 business days of learning of it (Resolução CD/ANPD 15/2024, art. 6)."""

    __tablename__ = "privacy_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(String(2000), default="")
    severity: Mapped[str] = mapped_column(String(10))
    data_categories: Mapped[str] = mapped_column(String(300), default="")
    subjects_affected: Mapped[int | None] = mapped_column(Integer)
    known_on: Mapped[date] = mapped_column(Date)
    notify_by: Mapped[date] = mapped_column(Date, index=True)
    anpd_notified_on: Mapped[date | None] = mapped_column(Date)
    subjects_notified_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_label: Mapped[str] = mapped_column(String(200), default="")

    @property
    def severity_label(self) -> str:
        return IncidentSeverity(self.severity).label
