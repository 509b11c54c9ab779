"""ORM models of the "Relatórios" page: the stored report files (the monthly workbook and
every run of a recurring export) and the recurring export definitions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow


class ReportKind(StrEnum):
    WORKBOOK = "workbook"  # the monthly workbook (company-wide, finance/manager/admin)
    EXPORT = "export"  # one run of a recurring export (its owner only)

    @property
    def label(self) -> str:
        return {"workbook": "Pasta de trabalho mensal", "export": "Exportação recorrente"}[self.value]


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return {"daily": "Diária", "weekly": "Semanal", "monthly": "Mensal"}[self.value]


class ReportFile(Base):
    """A generated file kept encrypted in storage (`storage_path` = associated data).

    `owner_id` NULL = a company report (the monthly workbook), seen by the roles allowed
    to; otherwise only its owner sees it."""

    __tablename__ = "report_files"
    __table_args__ = (
        Index("ix_report_files_owner_id", "owner_id", "id"),
        Index("ix_report_files_kind_period", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(7))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("recurring_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_path: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return ReportKind(self.kind).label


class RecurringReport(Base):
    """A filtered list saved as a recurring export: the list (its export endpoint), the
    filter query string and the format, run as its owner at every due moment."""

    __tablename__ = "recurring_reports"
    __table_args__ = (Index("ix_recurring_reports_due", "active", "next_run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    list_kind: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000), default="")
    fmt: Mapped[str] = mapped_column(String(4), default="xlsx")
    frequency: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def frequency_label(self) -> str:
        return Frequency(self.frequency).label
