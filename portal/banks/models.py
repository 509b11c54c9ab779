"""ORM models of the bank integrations: bank settings, regulatory parameters, webhook inbox.

Company credentials and webhook secrets are encrypted at rest (`EncryptedText`) and never
rendered back to a page. Regulatory parameters are effective-dated: a new version closes
the previous one (``valid_to`` exclusive) and values are never edited in place.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.banks.types import Capability
from portal.core.crypto import EncryptedText
from portal.core.db import Base, Money, Rate, UTCDateTime, utcnow


class Bank(Base):
    """One bank integration as configured by the admin."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    base_url: Mapped[str] = mapped_column(String(300), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Comma-separated `Capability` values the admin enabled (empty = none).
    capabilities: Mapped[str] = mapped_column(String(200), default="")
    credentials: Mapped[str | None] = mapped_column(EncryptedText("banks.credentials"))
    connect_timeout: Mapped[float] = mapped_column(Float, default=3.0)
    read_timeout: Mapped[float] = mapped_column(Float, default=15.0)
    breaker_threshold: Mapped[int] = mapped_column(Integer, default=5)
    breaker_cooldown_s: Mapped[float] = mapped_column(Float, default=30.0)
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedText("banks.webhook_secret"))
    under_liquidation: Mapped[bool] = mapped_column(Boolean, default=False)
    file_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moment of the last successful status poll (the next one asks for changes since then).
    status_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def capability_set(self) -> frozenset[Capability]:
        """The enabled capabilities as enum values (unknown strings are ignored)."""
        known = {c.value for c in Capability}
        return frozenset(Capability(v) for v in self.capabilities.split(",") if v in known)

    def has(self, capability: Capability) -> bool:
        return self.enabled and capability in self.capability_set

    def __repr__(self) -> str:  # never show credentials
        return f"<Bank {self.code}>"


class RegulatoryParameter(Base):
    """One version of a regulatory number (e.g. the INSS loan rate cap) and its validity.

    `valid_to` is exclusive and NULL while the version is current.
    """

    __tablename__ = "regulatory_parameters"
    __table_args__ = (
        UniqueConstraint("name", "valid_from"),
        Index("ix_regulatory_parameters_name_period", "name", "valid_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[Decimal] = mapped_column(Rate)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class WebhookEvent(Base):
    """Inbox of verified bank notifications: one row per (bank, event id), so a
    redelivered event is recognised and applied once. `payload` holds only proposal
    numbers, statuses and dates (no personal data)."""

    __tablename__ = "bank_webhook_events"
    __table_args__ = (UniqueConstraint("bank_code", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    payload: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class BankSimulation(Base):
    """A simulation the agent ran for a client, kept server-side with every bank's answer.

    `options` holds each offer with the opaque `bank_data` the bank needs at submission, so
    choosing an option later needs nothing from the browser but its position; nothing the
    agent typed is lost between simulating and submitting. `idempotency_key` is sent to the
    bank with the submission: a double click or a retry yields one proposal. No personal
    data is stored here (client and benefit link are referenced by id).
    """

    __tablename__ = "bank_simulations"
    __table_args__ = (Index("ix_bank_simulations_client_created", "client_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    benefit_link_id: Mapped[int | None] = mapped_column(ForeignKey("client_benefit_links.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    product: Mapped[str] = mapped_column(String(30))
    agreement: Mapped[str] = mapped_column(String(40))
    term_months: Mapped[int] = mapped_column(Integer)
    requested_amount: Mapped[Decimal | None] = mapped_column(Money)
    installment: Mapped[Decimal | None] = mapped_column(Money)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
