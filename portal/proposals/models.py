"""ORM models of proposals: the proposal itself and its event history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clients.models import Client
from portal.core.db import Base, Money, Rate, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum
from portal.people.models import Collaborator, OrgUnit


class Product(LabeledEnum):
    NEW = "new"
    REFIN = "refin"
    PORTABILITY = "portability"
    PORTABILITY_REFIN = "portability_refin"
    CARD = "card"
    BENEFIT_CARD = "benefit_card"
    FGTS = "fgts"
    CLT = "clt"


PRODUCT_LABELS = {
    Product.NEW: "Empréstimo novo",
    Product.REFIN: "Refinanciamento",
    Product.PORTABILITY: "Portabilidade",
    Product.PORTABILITY_REFIN: "Portabilidade + refin",
    Product.CARD: "Cartão consignado (RMC)",
    Product.BENEFIT_CARD: "Cartão benefício (RCC)",
    Product.FGTS: "Antecipação FGTS",
    Product.CLT: "Crédito do Trabalhador (CLT)",
}
Product.__labels__ = PRODUCT_LABELS


class Origin(LabeledEnum):
    API = "api"  # submitted through the bank's API from the portal
    MANUAL = "manual"  # typed by hand (file-only banks such as Bradesco)
    IMPORT = "import"  # imported from a spreadsheet

    __labels__ = {"api": "Digitada via API", "manual": "Cadastrada manualmente", "import": "Importada"}


class EventSource(LabeledEnum):
    USER = "user"
    BANK_SYNC = "bank_sync"
    WEBHOOK = "webhook"
    IMPORT = "import"
    SYSTEM = "system"

    __labels__ = {
        "user": "Usuário",
        "bank_sync": "Sincronização com o banco",
        "webhook": "Notificação do banco",
        "import": "Importação",
        "system": "Sistema",
    }


class Proposal(Base):
    """A credit proposal from submission to payment (and after-sale).

    `version` is the optimistic lock: a move made from a stale screen is refused.
    Store/team are frozen at submission so history and commissions stay true after
    people move.
    """

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("bank_code", "bank_proposal_number", name="uq_proposals_bank_number"),
        Index("ix_proposals_status_id", "status", "id"),
        Index("ix_proposals_agent_id_id", "agent_id", "id"),
        Index("ix_proposals_bank_status_id", "bank_code", "status", "id"),
        Index("ix_proposals_submitted_at_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    sub_correspondent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    bank_code: Mapped[str] = mapped_column(String(20))
    product: Mapped[str] = mapped_column(String(30), index=True)
    agreement: Mapped[str] = mapped_column(String(40), index=True)
    rate_table_code: Mapped[str | None] = mapped_column(String(40))
    term_months: Mapped[int] = mapped_column(Integer)
    monthly_rate: Mapped[Decimal | None] = mapped_column(Rate)
    installment: Mapped[Decimal | None] = mapped_column(Money)
    gross_amount: Mapped[Decimal] = mapped_column(Money)
    net_amount: Mapped[Decimal | None] = mapped_column(Money)
    cash_out: Mapped[Decimal | None] = mapped_column(Money)
    insurance: Mapped[Decimal | None] = mapped_column(Money)
    bank_proposal_number: Mapped[str | None] = mapped_column(String(60))
    contract_number: Mapped[str | None] = mapped_column(String(60), index=True)
    signing_link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(30))
    sub_status: Mapped[str | None] = mapped_column(String(80))
    sub_status_by_human: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_status: Mapped[str | None] = mapped_column(String(120))
    # The bank's own moment of `bank_status` (StatusUpdate.occurred_at): a report older than
    # this one is out of order and ignored. None when no report carried a moment yet.
    bank_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    endorsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # bank data, no personal data
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()
    agent: Mapped[Collaborator] = relationship(foreign_keys=[agent_id])
    submitted_by: Mapped[Collaborator | None] = relationship(foreign_keys=[submitted_by_id])
    team: Mapped[OrgUnit | None] = relationship(foreign_keys=[team_id])
    store: Mapped[OrgUnit | None] = relationship(foreign_keys=[store_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        from portal.proposals.statuses import Status

        return Status(self.status).label

    @property
    def product_label(self) -> str:
        return Product(self.product).label

    @property
    def extra_details(self) -> list[tuple[str, str]]:
        """The part of `extra` a person can read, in Portuguese; bank identifiers and
        bookkeeping (simulation option, bank_data, attempt moments) stay internal."""
        extra = self.extra or {}
        details = []
        channel = extra.get("signing_channel")
        if channel:
            details.append(("Assinatura por", SIGNING_CHANNELS.get(channel, "Outro canal")))
        return details


SIGNING_CHANNELS = {"link": "Link enviado ao cliente", "sms": "SMS ao cliente"}


class ProposalEvent(Base):
    """One fact in a proposal's history: a status move, a bank status seen, a note."""

    __tablename__ = "proposal_events"
    __table_args__ = (Index("ix_proposal_events_proposal_id_id", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(String(500))
    bank_status: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BankStatusMapping(Base):
    """Bank status string → canonical status (+ optional sub-status), per bank.

    Editable by operations; an unmapped string parks the proposal in "needs review".
    """

    __tablename__ = "bank_status_mappings"
    __table_args__ = (
        UniqueConstraint("bank_code", "bank_status", name="uq_bank_status_mappings_bank_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    bank_status: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(30))
    sub_status: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
