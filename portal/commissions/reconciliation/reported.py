"""The reported side: bank report lines of the import hub, read as `matching.Reported`.

The only module that knows the hub's table: one SELECT per call, never one per row.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.reconciliation.matching import Reported
from portal.commissions.reports.models import BankReportLine
from portal.core.db import money_sum


def load(
    session: Session,
    *,
    bank: str = "",
    start: date | None = None,
    end: date | None = None,
    contracts: Collection[str] | None = None,
) -> list[Reported]:
    line = BankReportLine
    stmt = select(
        line.id,
        line.bank_code,
        line.contract,
        line.component,
        line.amount,
        line.line_date,
        line.installment,
        line.kind,
    ).order_by(line.line_date, line.id)
    if bank:
        stmt = stmt.where(line.bank_code == bank)
    if start is not None:
        stmt = stmt.where(line.line_date >= start)
    if end is not None:
        stmt = stmt.where(line.line_date <= end)
    if contracts is not None:
        stmt = stmt.where(line.contract.in_(list(contracts)))
    return [Reported(*row) for row in session.execute(stmt)]


def deferred_reported_since(session: Session, start: date) -> dict[str, Decimal]:
    """Per bank, the deferred commission reported on or after `start`."""
    line = BankReportLine
    stmt = (
        select(line.bank_code, money_sum(line.amount))
        .where(line.component == "diferido", line.line_date >= start)
        .group_by(line.bank_code)
    )
    return dict(session.execute(stmt).tuples().all())


def report_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(BankReportLine)) or 0
