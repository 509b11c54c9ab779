"""ORM models of the operations pipeline: pendencies, documents, SLA limits, imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Money, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum
from portal.people.models import User
from portal.proposals.models import Proposal

# Indexes the pipeline's filters and board need on the core table (declared here so the
# core model stays as it is): SLA ranges per status, bank / needs-review lists newest first.
Index("ix_proposals_status_changed", Proposal.status, Proposal.status_changed_at)
Index("ix_proposals_bank_code_id", Proposal.bank_code, Proposal.id)
Index("ix_proposals_needs_review_id", Proposal.needs_review, Proposal.id)


class PendencyOwner(LabeledEnum):
    """Who must act to clear a pendency."""

    AGENT = "agent"
    OPERATIONS = "operations"

    __labels__ = {"agent": "Corretor", "operations": "Operações"}


class PendencyType(Base):
    """An entry of the pendency catalogue (docs/domain.md, "Proposal statuses"); editable."""

    __tablename__ = "pendency_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # `fold(name)`: "CPF inválido" and "cpf invalido" are one type (see pendencies.save_type).
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pendency(Base):
    """Something that blocks a proposal until the agent or operations acts."""

    __tablename__ = "pendencies"
    __table_args__ = (
        Index("ix_pendencies_proposal_id_id", "proposal_id", "id"),
        # Agent home and "open pendencies" lists: open ones by owner.
        Index("ix_pendencies_open_owner", "resolved_at", "owner_kind", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("pendency_types.id"), index=True)
    description: Mapped[str | None] = mapped_column(String(500))
    owner_kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(500))

    proposal: Mapped[Proposal] = relationship()
    type: Mapped[PendencyType] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def owner_label(self) -> str:
        return PendencyOwner(self.owner_kind).label


class ProposalDocument(Base):
    """A file attached to a proposal, stored encrypted under a random name.

    `original_name` is for display only (sanitised); the file on disk is
    `STORAGE_DIR/proposals/<storage_name[:2]>/<storage_name>` and is never derived from it.
    """

    __tablename__ = "proposal_documents"
    __table_args__ = (Index("ix_proposal_documents_proposal_id_id", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    original_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(32))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()


class SlaLimit(Base):
    """How long a proposal may stay in a status before it is flagged (editable)."""

    __tablename__ = "sla_limits"

    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CatalogueStamp(Base):
    """One row: a random token replaced in the transaction of every write to the pipeline's
    catalogue (pendency types, SLA limits and their dated versions), so each process can
    tell whether its copy is still current (`portal.proposals.catalogue`)."""

    __tablename__ = "pipeline_catalogue_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger, default=0)


class ProposalImport(Base):
    """A spreadsheet of proposals imported once (SHA-256), with its row report."""

    __tablename__ = "proposal_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    storage_name: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{row, ok, message, proposal_id}]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalStatusRollup(Base):
    """The board's figures kept per (status, day, agent, bank): how many proposals and
    their gross amount, and how many wait for review. Maintained in the same transaction
    as every proposal write (`portal.proposals.rollup`); `day` is the UTC day of the last
    move for the finished statuses (the board counts the last 30 days of them) and
    `rollup.OPEN_DAY` (9999-12-31) for every other status, so what the board reads is the
    single primary-key range `day >= start of the window`."""

    __tablename__ = "proposal_status_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # first: the board reads a day range
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    proposals: Mapped[int] = mapped_column(Integer, default=0)
    gross_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    needs_review: Mapped[int] = mapped_column(Integer, default=0)


class ProposalStatusBankRollup(Base):
    """The board's figures without the agent: per (day, status, bank), for the users who
    see every proposal (a few rows per day, whatever the number of agents). Same rule and
    maintenance as `ProposalStatusRollup`, of which it is the sum over the agents."""

    __tablename__ = "proposal_status_bank_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    proposals: Mapped[int] = mapped_column(Integer, default=0)
    gross_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    needs_review: Mapped[int] = mapped_column(Integer, default=0)


class ProposalStatusHour(Base):
    """How many proposals of an open (not windowed) status entered it in each UTC hour,
    per bank and over all banks (`bank_code` "*", `rollup.ALL_BANKS`): the board's
    "within the SLA limit" counts are sums of these buckets plus one count of the
    proposals for the partial hour at the limit (`portal.proposals.board`). Kept by the
    same flush hook as the rollups; `hour` is `status_changed_at` truncated to the hour
    (UTC). Key order: a read is one range (status, bank, hour > boundary)."""

    __tablename__ = "proposal_status_hours"

    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    proposals: Mapped[int] = mapped_column(Integer, default=0)
