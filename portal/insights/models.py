"""Rollup tables the dashboards read instead of the proposals and the ledger.

Each row is a sum over one key; every write that changes proposals or appends to the
ledger adds its delta to these rows in the same transaction (`production_rollup`,
`ledger_rollup`), and `flask insights rebuild` recomputes them from the raw tables.

- `insights_production_day` / `insights_production_month`: proposals counted and summed
  per submission day (São Paulo calendar, like the proposals list's date filter) or
  month × bank × product × agreement × store × team × status bucket;
- `insights_production_day_bank` / `insights_production_month_bank`: the same per day
  or month × bank × bucket only (the company-wide tables, unfiltered or one bank);
- `insights_agent_month`: the same per month × agent (rankings and targets);
- `insights_ledger_month`: ledger amounts per posting period × bank × product ×
  agreement × store × team × side (company or internal) × kind, and
  `insights_ledger_month_bank` the same per period × bank × side × kind only.

Store and team are the proposal's (frozen at submission); 0 stands for "none" so the
key stays a primary key on both databases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Money


class _ProductionSums:
    proposals: Mapped[int] = mapped_column(Integer, default=0)
    gross_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    net_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))


class _ProductionKey:
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    product: Mapped[str] = mapped_column(String(30), primary_key=True)
    agreement: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(10), primary_key=True)


class ProductionDay(_ProductionKey, _ProductionSums, Base):
    """Proposals per submission day (local calendar) and dimensions."""

    __tablename__ = "insights_production_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True, sort_order=-1)


class ProductionDayBank(_ProductionSums, Base):
    """Proposals per submission day, bank and bucket: the day rollup at the grain the
    dashboard's day table shows company-wide (unfiltered or one bank), a few rows a day
    however many products, agreements, stores and teams the day's proposals spread over."""

    __tablename__ = "insights_production_day_bank"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(10), primary_key=True)


class ProductionMonth(_ProductionKey, _ProductionSums, Base):
    """Proposals per submission month ("aaaa-mm") and dimensions."""

    __tablename__ = "insights_production_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)


class ProductionMonthBank(_ProductionSums, Base):
    """Proposals per submission month, bank and bucket: the month rollup at the grain of
    the company-wide summary, month and bank tables (unfiltered or one bank)."""

    __tablename__ = "insights_production_month_bank"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(10), primary_key=True)


class AgentMonth(_ProductionSums, Base):
    """Proposals per submission month and agent (with the proposal's store and team)."""

    __tablename__ = "insights_agent_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(10), primary_key=True)


class LedgerMonth(Base):
    """Ledger amounts per posting period and dimensions (the proposal's, when the entry
    has one; "" and 0 otherwise)."""

    __tablename__ = "insights_ledger_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    product: Mapped[str] = mapped_column(String(30), primary_key=True)
    agreement: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    side: Mapped[str] = mapped_column(String(10), primary_key=True)  # company | internal
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))


class LedgerMonthBank(Base):
    """Ledger amounts per posting period, bank, side and kind: the ledger rollup at the
    grain of the company-wide summary and bank tables (unfiltered or one bank)."""

    __tablename__ = "insights_ledger_month_bank"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    side: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
