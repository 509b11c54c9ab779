"""ORM models of statements: the statement (summary, state, stored PDF, payout), its
lines (copied from the ledger when the draft is generated) and disputes on lines.

Money is integer centavos (`Money`), percentages millionths (`Rate`), like the ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Money, Rate, UTCDateTime, utcnow


class StatementState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PAID = "paid"

    @property
    def label(self) -> str:
        return {"draft": "Rascunho", "approved": "Aprovado", "paid": "Pago"}[self.value]


class PaymentMethod(StrEnum):
    PIX = "pix"
    TED = "ted"
    PAYROLL = "folha"

    @property
    def label(self) -> str:
        return {"pix": "PIX", "ted": "TED", "folha": "Folha de pagamento"}[self.value]


class DisputeState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"open": "Em análise", "accepted": "Aceita", "rejected": "Recusada"}[self.value]


class Statement(Base):
    """A payee's statement of one closed period. Content (lines, totals, hash) is written
    while it is a draft; from approval on only the payout fields may change."""

    __tablename__ = "commission_statements"
    __table_args__ = (
        UniqueConstraint("period", "payee", name="uq_commission_statements_period_payee"),
        Index("ix_commission_statements_state_period", "state", "period"),
        Index("ix_commission_statements_collaborator", "collaborator_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("commission_periods.id"))
    period: Mapped[str] = mapped_column(String(7))
    payee: Mapped[str] = mapped_column(String(254))
    collaborator_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    payee_name: Mapped[str] = mapped_column(String(200))
    store_name: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(10), default=StatementState.DRAFT.value)
    lines_count: Mapped[int] = mapped_column(Integer, default=0)
    earned: Mapped[Decimal] = mapped_column(Money)
    overrides: Mapped[Decimal] = mapped_column(Money)
    bonuses: Mapped[Decimal] = mapped_column(Money)
    clawbacks: Mapped[Decimal] = mapped_column(Money)
    adjustments: Mapped[Decimal] = mapped_column(Money)
    carried_in: Mapped[Decimal] = mapped_column(Money)  # negative balance of the previous period
    carried_out: Mapped[Decimal] = mapped_column(Money)  # negative balance moved to the next one
    payable: Mapped[Decimal] = mapped_column(Money)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_label: Mapped[str | None] = mapped_column(String(200))
    pdf_path: Mapped[str | None] = mapped_column(String(200))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str | None] = mapped_column(String(10))
    payment_reference: Mapped[str | None] = mapped_column(String(120))
    paid_by_label: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", order_by="StatementLine.line_no", cascade="all, delete-orphan"
    )
    disputes: Mapped[list[StatementDispute]] = relationship(
        back_populates="statement", order_by="StatementDispute.id", cascade="all, delete-orphan"
    )

    @property
    def state_label(self) -> str:
        return StatementState(self.state).label

    @property
    def method_label(self) -> str:
        return PaymentMethod(self.payment_method).label if self.payment_method else ""

    @property
    def is_draft(self) -> bool:
        return self.state == StatementState.DRAFT.value


class StatementLine(Base):
    """One ledger entry as the statement shows it (client name and masked CPF included)."""

    __tablename__ = "commission_statement_lines"
    __table_args__ = (Index("ix_commission_statement_lines_statement", "statement_id", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("commission_statements.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("commission_ledger.id"))
    competence: Mapped[str] = mapped_column(String(7))
    contract: Mapped[str] = mapped_column(String(60))
    client_name: Mapped[str] = mapped_column(String(120), default="")
    client_cpf_masked: Mapped[str] = mapped_column(String(20), default="")
    bank_name: Mapped[str] = mapped_column(String(120), default="")
    product: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20))
    kind_label: Mapped[str] = mapped_column(String(60))
    base: Mapped[Decimal] = mapped_column(Money)
    percent: Mapped[Decimal | None] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    explanation: Mapped[str] = mapped_column(String(500))

    statement: Mapped[Statement] = relationship(back_populates="lines")


class StatementDispute(Base):
    """An agent's question about one line, and finance's answer."""

    __tablename__ = "commission_statement_disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("commission_statements.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("commission_statement_lines.id"))
    state: Mapped[str] = mapped_column(String(10), default=DisputeState.OPEN.value)
    comment: Mapped[str] = mapped_column(String(1000))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_by_label: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(1000))
    resolved_by_label: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjustment_entry_id: Mapped[int | None] = mapped_column(ForeignKey("commission_ledger.id"))
    adjustment_amount: Mapped[Decimal | None] = mapped_column(Money)

    statement: Mapped[Statement] = relationship(back_populates="disputes")
    line: Mapped[StatementLine] = relationship()

    @property
    def state_label(self) -> str:
        return DisputeState(self.state).label
