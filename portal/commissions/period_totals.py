"""Totals per posting period of the ledger lines a user may see, with the running total
(the agent's and the supervisor's statement under /sales/commissions)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from portal.commissions.queries import LedgerFilter, ledger_query
from portal.core.db import money_sum
from portal.people.models import User


@dataclass(frozen=True)
class PeriodTotal:
    period: str
    lines: int
    credits: Decimal
    debits: Decimal
    total: Decimal
    running: Decimal  # sum of this and every earlier period in scope


def period_totals(session: Session, user: User, filters: LedgerFilter = LedgerFilter()) -> list[PeriodTotal]:
    """One row per posting period (oldest first), scoped like the ledger query."""
    base = ledger_query(session, user, filters).subquery()
    stmt = (
        select(base.c.posting_period, func.count(), money_sum(base.c.amount))
        .group_by(base.c.posting_period)
        .order_by(base.c.posting_period)
    )
    credit_rows: dict[str, Decimal] = dict(
        session.execute(
            select(base.c.posting_period, money_sum(base.c.amount))
            .where(type_coerce(base.c.amount, BigInteger) > 0)  # centavos: Money binds only Decimal
            .group_by(base.c.posting_period)
        )
        .tuples()
        .all()
    )
    out, running = [], Decimal("0.00")
    for period, lines, total in session.execute(stmt):
        running += total
        credits = credit_rows.get(period, Decimal("0.00"))
        out.append(PeriodTotal(period, lines, credits, total - credits, total, running))
    return out
