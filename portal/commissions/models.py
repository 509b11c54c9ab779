"""ORM models of commissions: bank table versions and rows, internal plans and override
rates, periods with their snapshots, the append-only ledger and each proposal's frozen
reference to the table row used.

Money is integer centavos (`Money`), percentages millionths of a point (`Rate`).
Validity ranges of versions, plans and override rates are inclusive on both ends, like the
file layouts' `vigencia_de`/`vigencia_ate` (NULL `valid_to` = open-ended).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from portal.core.db import Base, Money, Rate, UTCDateTime, utcnow


class VersionState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return {"draft": "Rascunho", "approved": "Aprovada", "retired": "Retirada"}[self.value]


class PeriodState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Aberto", "closed": "Fechado"}[self.value]


class EntrySource(StrEnum):
    """Who appended a ledger entry."""

    ENGINE = "engine"  # posted when a proposal was paid or ended
    RECALC = "recalc"  # a recalculation's difference
    IMPORT = "import"
    MANUAL = "manual"  # typed by finance, with a reason (audited)
    CLOSE = "close"  # target tiers and the negative carry, posted when a period closes
    RECONCILIATION = "reconciliation"  # a bank divergence accepted by finance, with a reason

    @property
    def label(self) -> str:
        return {
            "engine": "Cálculo automático",
            "recalc": "Recálculo",
            "import": "Importação",
            "manual": "Lançamento manual",
            "close": "Fechamento do período",
            "reconciliation": "Conciliação bancária",
        }[self.value]


# Ledger kinds beyond the engine's LineKind values.
CARRY_KIND = "saldo_anterior"  # a negative balance carried into the next period
ADJUSTMENT_KIND = "ajuste"  # a manual adjustment
EXTRA_KIND_LABELS = {CARRY_KIND: "Saldo negativo do período anterior", ADJUSTMENT_KIND: "Ajuste manual"}

OVERRIDE_LEVELS = {"supervisor": "Supervisor", "gerente": "Gerente"}


class TableVersion(Base):
    """One version of a bank's commission table ("Facta v3"). Approved ones are read-only;
    a change is a new draft (`supersedes_id`), whose approval retires the one it replaces."""

    __tablename__ = "commission_table_versions"
    __table_args__ = (
        UniqueConstraint("bank_code", "number", name="uq_commission_table_versions_bank_number"),
        Index("ix_commission_table_versions_bank_state", "bank_code", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=VersionState.DRAFT.value)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("commission_table_versions.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_label: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rows: Mapped[list[TableRowRecord]] = relationship(
        back_populates="version", order_by="TableRowRecord.line_no", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        """ "Facta v3": how explanations and pages name the version."""
        from portal.commissions.resolution import bank_name

        return f"{bank_name(self.bank_code)} v{self.number}"

    @property
    def state_label(self) -> str:
        return VersionState(self.state).label


class TableRowRecord(Base):
    """One row of a table version: every field of `types.TableRow` plus its line number."""

    __tablename__ = "commission_table_rows"
    __table_args__ = (
        UniqueConstraint("version_id", "line_no", name="uq_commission_table_rows_version_line"),
        Index("ix_commission_table_rows_version_product", "version_id", "product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("commission_table_versions.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(30))
    agreement: Mapped[str] = mapped_column(String(40))
    table_code: Mapped[str] = mapped_column(String(40))
    term_from: Mapped[int] = mapped_column(Integer)
    term_to: Mapped[int] = mapped_column(Integer)
    rate_from: Mapped[Decimal] = mapped_column(Rate)
    rate_to: Mapped[Decimal] = mapped_column(Rate)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    base: Mapped[str] = mapped_column(String(20))
    flat: Mapped[Decimal] = mapped_column(Rate)
    deferred: Mapped[Decimal] = mapped_column(Rate)
    deferred_months: Mapped[int] = mapped_column(Integer)
    bonus: Mapped[Decimal] = mapped_column(Rate)
    fixed: Mapped[Decimal] = mapped_column(Money)
    clawback_days: Mapped[int] = mapped_column(Integer)
    clawback_rule: Mapped[str] = mapped_column(String(10))

    version: Mapped[TableVersion] = relationship(back_populates="rows")


class CommissionPlan(Base):
    """An internal plan of one payee (a collaborator or a sub-correspondent org unit)."""

    __tablename__ = "commission_plans"
    __table_args__ = (
        CheckConstraint("(collaborator_id IS NULL) <> (org_unit_id IS NULL)", name="one_payee"),
        Index("ix_commission_plans_collaborator_from", "collaborator_id", "valid_from"),
        Index("ix_commission_plans_org_unit_from", "org_unit_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborator_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    name: Mapped[str] = mapped_column(String(120), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))
    percent: Mapped[Decimal] = mapped_column(Rate)
    tier_mode: Mapped[str] = mapped_column(String(20), default="toda_producao")
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tiers: Mapped[list[PlanTier]] = relationship(
        order_by="PlanTier.threshold", cascade="all, delete-orphan", lazy="selectin"
    )


class PlanTier(Base):
    """A target tier of a plan: from `threshold` of production in the period, `percent`."""

    __tablename__ = "commission_plan_tiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plans.id"), index=True)
    threshold: Mapped[Decimal] = mapped_column(Money)
    percent: Mapped[Decimal] = mapped_column(Rate)


class OverrideRate(Base):
    """The override of an org level (supervisor, gerente): percent of the contract's base."""

    __tablename__ = "commission_override_rates"
    __table_args__ = (Index("ix_commission_override_rates_level_from", "level", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    percent: Mapped[Decimal] = mapped_column(Rate)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommissionPeriod(Base):
    """A commission month "aaaa-mm": open → closed, exactly once (`version` counts changes)."""

    __tablename__ = "commission_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=PeriodState.OPEN.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_label: Mapped[str | None] = mapped_column(String(200))

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label


class PeriodSnapshot(Base):
    """A payee's totals frozen when the period closed."""

    __tablename__ = "commission_period_snapshots"
    __table_args__ = (UniqueConstraint("period_id", "payee", name="uq_commission_period_snapshots_payee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("commission_periods.id"))
    payee: Mapped[str] = mapped_column(String(254))
    collaborator_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"), index=True)
    lines: Mapped[int] = mapped_column(Integer)
    credits: Mapped[Decimal] = mapped_column(Money)
    debits: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    carried: Mapped[Decimal] = mapped_column(Money)  # negative total carried to the next period


class LedgerEntry(Base):
    """One appended commission line. Never updated nor deleted (database triggers refuse it).

    `competence` is the line's own month (Line.period); `posting_period` the period whose
    totals it counts in: the competence, or the open period when that one was closed
    (`prior_period` then says so).
    """

    __tablename__ = "commission_ledger"
    __table_args__ = (
        Index("ix_commission_ledger_posting_id", "posting_period", "id"),
        Index("ix_commission_ledger_payee_posting", "payee", "posting_period"),
        Index("ix_commission_ledger_collaborator_id", "collaborator_id", "id"),
        Index("ix_commission_ledger_contract_id", "contract", "id"),
        Index("ix_commission_ledger_proposal_id", "proposal_id"),
        Index("ix_commission_ledger_kind_posting", "kind", "posting_period"),
        Index("ix_commission_ledger_bank_posting", "bank_code", "posting_period"),
        Index("ix_commission_ledger_batch", "batch_id"),
        # The reconciliation of one period: the company's lines by competence, read from the
        # index alone (a period's rows are spread over the whole table).
        Index(
            "ix_commission_ledger_company_competence",
            "competence",
            "bank_code",
            "contract",
            "kind",
            postgresql_include=["amount", "source"],
            postgresql_where=text("payee = 'empresa'"),
            sqlite_where=text("payee = 'empresa'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32))
    contract: Mapped[str] = mapped_column(String(60))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    bank_code: Mapped[str] = mapped_column(String(20))
    payee: Mapped[str] = mapped_column(String(254))
    collaborator_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    kind: Mapped[str] = mapped_column(String(20))
    source_kind: Mapped[str | None] = mapped_column(String(20))
    competence: Mapped[str] = mapped_column(String(7))
    posting_period: Mapped[str] = mapped_column(String(7))
    prior_period: Mapped[bool] = mapped_column(Boolean, default=False)
    base: Mapped[Decimal] = mapped_column(Money)
    percent: Mapped[Decimal | None] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    explanation: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    table_version_id: Mapped[int | None] = mapped_column(ForeignKey("commission_table_versions.id"))
    table_row_id: Mapped[int | None] = mapped_column(ForeignKey("commission_table_rows.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Filled by the ledger queries in the same SELECT (collaborator's name); else None.
    payee_name: Mapped[str | None] = query_expression()

    @property
    def kind_label(self) -> str:
        from portal.commissions.types import LineKind

        if self.kind in EXTRA_KIND_LABELS:
            return EXTRA_KIND_LABELS[self.kind]
        return LineKind(self.kind).label

    @property
    def source_label(self) -> str:
        return EntrySource(self.source).label


class ProposalCommissionRef(Base):
    """The table version and row a proposal's commission was computed with (or why none):
    the contract's frozen reference, replaced only by a recalculation."""

    __tablename__ = "commission_proposal_refs"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    table_version_id: Mapped[int | None] = mapped_column(ForeignKey("commission_table_versions.id"))
    table_row_id: Mapped[int | None] = mapped_column(ForeignKey("commission_table_rows.id"))
    problem: Mapped[str | None] = mapped_column(String(20), index=True)  # sem_tabela | tabela_ambigua
    reason: Mapped[str | None] = mapped_column(String(500))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
