"""ORM models of the client registry (LGPD-protected personal data).

CPF, phones, benefit numbers and payout accounts are `EncryptedText` (AES-GCM with the
key id in every token). Exact search goes through keyed HMAC blind-index columns
(`*_index`), never through the encrypted values. After anonymisation the encrypted
columns and their indexes are NULL, which is why they are nullable.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.crypto import EncryptedText
from portal.core.db import Base, Money, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum
from portal.people.models import Collaborator


class ClientStatus(StrEnum):
    ACTIVE = "active"
    ANONYMISED = "anonymised"


class Provenance(LabeledEnum):
    """How the client's data came in (required: LGPD accountability)."""

    AGENT = "agent"
    SELF_SERVICE = "self_service"
    IMPORT = "import"
    REFERRAL = "referral"


PROVENANCE_LABELS = {
    Provenance.AGENT: "Digitado pelo corretor",
    Provenance.SELF_SERVICE: "Autoatendimento do cliente",
    Provenance.IMPORT: "Arquivo importado",
    Provenance.REFERRAL: "Indicação",
}
Provenance.__labels__ = PROVENANCE_LABELS


class Client(Base):
    """A person the company serves; owned by one collaborator (the relationship agent)."""

    __tablename__ = "clients"
    __table_args__ = (
        # List order and name-prefix search (range on name_search, see queries.py).
        Index("ix_clients_name_order", "name_search", "id"),
        # Scoped lists: owner_id IN (...) ORDER BY name_search, id.
        Index("ix_clients_owner_name", "owner_id", "name_search", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id"))
    cpf: Mapped[str | None] = mapped_column(EncryptedText("clients.cpf"))
    cpf_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_search: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(EncryptedText("clients.phone"))
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_alt: Mapped[str | None] = mapped_column(EncryptedText("clients.phone_alt"))
    phone_alt_index: Mapped[str | None] = mapped_column(String(64), index=True)
    cep: Mapped[str | None] = mapped_column(String(8))
    street: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(20))
    complement: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    provenance: Mapped[str] = mapped_column(String(20))
    provenance_detail: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ClientStatus.ACTIVE.value, index=True)
    pseudonym: Mapped[str | None] = mapped_column(String(16), unique=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    retention_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Collaborator] = relationship()

    @property
    def is_anonymised(self) -> bool:
        return self.status == ClientStatus.ANONYMISED

    @property
    def provenance_label(self) -> str:
        return Provenance(self.provenance).label


AGREEMENT_BASES = ["INSS", "SIAPE", "GOV-XX", "PREF-XXX", "CLT", "FGTS"]


class BenefitLink(Base):
    """A benefit (INSS), registration (SIAPE, GOV-XX, PREF-XXX) or employment (CLT, FGTS)
    of a client, with the bank account where it pays out."""

    __tablename__ = "client_benefit_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    agreement: Mapped[str] = mapped_column(String(40))
    benefit_number: Mapped[str | None] = mapped_column(EncryptedText("client_benefit_links.benefit_number"))
    benefit_index: Mapped[str | None] = mapped_column(String(64), index=True)
    benefit_kind: Mapped[str | None] = mapped_column(String(60))
    monthly_income: Mapped[Decimal | None] = mapped_column(Money)
    payout_bank: Mapped[str | None] = mapped_column(String(3))
    payout_agency: Mapped[str | None] = mapped_column(String(10))
    payout_account: Mapped[str | None] = mapped_column(EncryptedText("client_benefit_links.payout_account"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentPurpose(LabeledEnum):
    CONTACT = "contact"
    BENEFIT_QUERY = "benefit_query"
    CREDIT_ANALYSIS = "credit_analysis"
    MARKETING = "marketing"


PURPOSE_LABELS = {
    ConsentPurpose.CONTACT: "Contato",
    ConsentPurpose.BENEFIT_QUERY: "Consulta de benefício (IN100)",
    ConsentPurpose.CREDIT_ANALYSIS: "Análise de crédito",
    ConsentPurpose.MARKETING: "Marketing",
}
ConsentPurpose.__labels__ = PURPOSE_LABELS


class LegalBasis(LabeledEnum):
    """LGPD art. 7 bases used by a correspondent."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    CREDIT_PROTECTION = "credit_protection"
    LEGITIMATE_INTEREST = "legitimate_interest"


LEGAL_BASIS_LABELS = {
    LegalBasis.CONSENT: "Consentimento (art. 7º, I)",
    LegalBasis.CONTRACT: "Execução de contrato (art. 7º, V)",
    LegalBasis.LEGAL_OBLIGATION: "Obrigação legal (art. 7º, II)",
    LegalBasis.CREDIT_PROTECTION: "Proteção do crédito (art. 7º, X)",
    LegalBasis.LEGITIMATE_INTEREST: "Legítimo interesse (art. 7º, IX)",
}
LegalBasis.__labels__ = LEGAL_BASIS_LABELS


class ConsentChannel(LabeledEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    DIGITAL_SIGNATURE = "digital_signature"


CHANNEL_LABELS = {
    ConsentChannel.IN_PERSON: "Presencial (termo assinado)",
    ConsentChannel.PHONE: "Telefone (gravação)",
    ConsentChannel.WHATSAPP: "WhatsApp",
    ConsentChannel.EMAIL: "E-mail",
    ConsentChannel.DIGITAL_SIGNATURE: "Assinatura digital",
}
ConsentChannel.__labels__ = CHANNEL_LABELS


class Consent(Base):
    """A consent or authorisation for one purpose, with its evidence file (SHA-256)."""

    __tablename__ = "client_consents"
    __table_args__ = (Index("ix_client_consents_client_purpose", "client_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    purpose: Mapped[str] = mapped_column(String(30))
    legal_basis: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(30))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    evidence_path: Mapped[str | None] = mapped_column(String(200))
    evidence_filename: Mapped[str | None] = mapped_column(String(200))
    evidence_mime: Mapped[str | None] = mapped_column(String(50))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def purpose_label(self) -> str:
        return ConsentPurpose(self.purpose).label

    @property
    def legal_basis_label(self) -> str:
        return LegalBasis(self.legal_basis).label

    @property
    def channel_label(self) -> str:
        return ConsentChannel(self.channel).label


class ClientEvent(Base):
    """One line of the client's timeline (registry changes, lookups, proposals, ...).

    `summary` is shown to users and kept after anonymisation: never put personal data in it.
    """

    __tablename__ = "client_events"
    __table_args__ = (Index("ix_client_events_client_time", "client_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
