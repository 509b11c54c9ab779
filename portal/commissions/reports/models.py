"""Lines of the commission reports banks send (what the bank says it paid or debited).

Kept apart from the ledger (expected) and from money received: reconciliation compares
the three. Each line belongs to the import that brought it in (`data_imports`), so undoing
an import deletes exactly its lines. `natural_key` (sha256 of bank|contract|kind|
component|installment|date) is unique per bank: a line reported again is never counted twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Money

KINDS = ("credito", "debito")
COMPONENTS = ("flat", "diferido", "bonus", "fixo", "estorno", "outro")


class BankReportLine(Base):
    __tablename__ = "bank_report_lines"
    __table_args__ = (
        UniqueConstraint("bank_code", "natural_key", name="uq_bank_report_lines_key"),
        Index("ix_bank_report_lines_contract", "bank_code", "contract"),
        Index("ix_bank_report_lines_date", "bank_code", "line_date"),
        Index("ix_bank_report_lines_line_date", "line_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("data_imports.id"), index=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    contract: Mapped[str] = mapped_column(String(60))  # the bank's contract number
    operator_code: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # 'credito' | 'debito'
    component: Mapped[str] = mapped_column(String(20))  # flat | diferido | bonus | fixo | estorno | outro
    installment: Mapped[int | None] = mapped_column(Integer)
    line_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: credit > 0, debit < 0
    natural_key: Mapped[str] = mapped_column(String(64))
