"""Demo money received (issue #11): for each demo bank and closed period, a transfer of what
the ledger expects from it, paid on the 10th of the next month; the first bank's latest
closed period arrives R$ 150,00 short, so the bank × period view has a gap to show.
Idempotent: skipped once any received payment exists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.ledger import next_month
from portal.commissions.models import CommissionPeriod, EntrySource, LedgerEntry, PeriodState
from portal.commissions.reconciliation.matching import COMPONENTS
from portal.commissions.reconciliation.models import ReceivedPayment, ReceivedSource
from portal.commissions.types import COMPANY
from portal.core.db import money_sum

SHORTFALL = Decimal("150.00")
LABEL = "Demonstração"


def seed_received(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(ReceivedPayment)):
        return
    closed = list(
        session.scalars(
            select(CommissionPeriod.period).where(CommissionPeriod.state == PeriodState.CLOSED.value)
        )
    )
    if not closed:
        return
    e = LedgerEntry
    totals = session.execute(
        select(e.bank_code, e.competence, money_sum(e.amount))
        .where(
            e.payee == COMPANY,
            e.kind.in_(COMPONENTS),
            e.source != EntrySource.RECONCILIATION.value,
            e.competence.in_(closed),
            e.bank_code != "",
        )
        .group_by(e.bank_code, e.competence)
        .order_by(e.bank_code, e.competence)
    ).all()
    latest, first_bank = max(closed), totals[0][0] if totals else ""
    for bank, period, total in totals:
        amount = total - SHORTFALL if (bank, period) == (first_bank, latest) else total
        if amount <= 0:
            continue
        session.add(
            ReceivedPayment(
                bank_code=bank,
                period=period,
                received_on=date.fromisoformat(next_month(period) + "-10"),
                amount=amount,
                reference=f"TED {bank.upper()} {period}",
                memo=f"Comissões {period} (demonstração)",
                source=ReceivedSource.MANUAL.value,
                natural_key=f"demo-{bank}-{period}",
                created_by_id=None,
                created_by_label=LABEL,
            )
        )
