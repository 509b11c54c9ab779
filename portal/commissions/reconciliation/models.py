"""Reconciliation records: per-bank rules, money received, links of unknown contracts,
acceptances (each one an adjustment appended to the ledger) and disputes with the bank.

Matching itself is not stored: it is computed from the ledger and the bank report lines in
a few grouped queries (see `service.py`); these tables hold only people's decisions and
the money that arrived.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Money, UTCDateTime, utcnow

GLOBAL = "*"  # the bank_code of the rules every bank without its own uses


class ReceivedSource(StrEnum):
    MANUAL = "manual"
    OFX = "ofx"
    CSV = "csv"

    @property
    def label(self) -> str:
        return {"manual": "Digitado", "ofx": "Extrato OFX", "csv": "Extrato CSV"}[self.value]


class DisputeState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Em disputa", "closed": "Encerrada"}[self.value]


DISPUTE_OUTCOMES = {
    "banco_pagou": "Banco pagou a diferença",
    "banco_recusou": "Banco recusou",
    "sem_diferenca": "Sem diferença após revisão",
    "outro": "Outro",
}


class ReconRule(Base):
    """Tolerance and days before an unreported line counts as missing, per bank or global."""

    __tablename__ = "recon_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), unique=True)
    tolerance: Mapped[Decimal] = mapped_column(Money)
    missing_after_days: Mapped[int] = mapped_column(Integer)
    updated_by_label: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReceivedPayment(Base):
    """Money that arrived in the company's account from a bank, for a period."""

    __tablename__ = "recon_received"
    __table_args__ = (
        UniqueConstraint("bank_code", "natural_key", name="uq_recon_received_bank_key"),
        Index("ix_recon_received_bank_period", "bank_code", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(100), default="")
    memo: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10))
    natural_key: Mapped[str] = mapped_column(String(64))  # FITID, a row digest, or a uuid
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def source_label(self) -> str:
        return ReceivedSource(self.source).label


class ContractLink(Base):
    """A contract number the bank reported that the ledger did not know, linked to ours."""

    __tablename__ = "recon_contract_links"
    __table_args__ = (
        UniqueConstraint("bank_code", "reported_contract", name="uq_recon_links_bank_reported"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    reported_contract: Mapped[str] = mapped_column(String(60))
    contract: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _ItemKeyColumns:
    bank_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    contract: Mapped[str] = mapped_column(String(60))
    component: Mapped[str] = mapped_column(String(20))
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)


class Acceptance(_ItemKeyColumns, Base):
    """A divergence accepted with a reason: the adjustment it appended to the ledger."""

    __tablename__ = "recon_acceptances"
    __table_args__ = (Index("ix_recon_acceptances_bank_period", "bank_code", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(500))
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("commission_ledger.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Dispute(_ItemKeyColumns, Base):
    """A divergence contested with the bank: open → closed with an outcome."""

    __tablename__ = "recon_disputes"
    __table_args__ = (Index("ix_recon_disputes_bank_period", "bank_code", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))  # the divergence's outcome when opened
    difference: Mapped[Decimal] = mapped_column(Money)
    state: Mapped[str] = mapped_column(String(10), default=DisputeState.OPEN.value)
    note: Mapped[str] = mapped_column(String(500))
    protocol: Mapped[str] = mapped_column(String(60), default="")  # the bank's ticket number
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by_label: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_outcome: Mapped[str | None] = mapped_column(String(20))
    closed_note: Mapped[str | None] = mapped_column(String(500))
    closed_by_label: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state_label(self) -> str:
        return DisputeState(self.state).label

    @property
    def closed_outcome_label(self) -> str:
        return DISPUTE_OUTCOMES.get(self.closed_outcome or "", "")
