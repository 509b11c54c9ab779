"""The figures of the monthly workbook, company-wide, for one period ``aaaa-mm``.

Each function returns plain rows (values only, money as ``Decimal``) in a stable order:
production (paid proposals by bank, product and store), commissions (the ledger of the
posting period by payee and component), reconciliation (expected × reported × received
per bank, from ``commissions.reconciliation.service.reconcile``), rankings (stores and
agents by production) and payouts (the period's approved or paid statements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portal.banks.models import Bank
from portal.commissions.ledger import check_period
from portal.commissions.models import EXTRA_KIND_LABELS, LedgerEntry
from portal.commissions.reconciliation.service import reconcile
from portal.commissions.resolution import bank_name, product_label
from portal.commissions.statements.models import Statement, StatementState
from portal.commissions.types import COMPANY, LineKind
from portal.core.db import money_sum
from portal.people.models import Collaborator, OrgUnit
from portal.proposals.models import Proposal

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
ZERO = Decimal("0.00")
NO_STORE = "Sem loja"
COMPANY_LABEL = "Empresa"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of the period in São Paulo time, as aware datetimes."""
    year, month = (int(part) for part in check_period(period).split("-"))
    start = datetime.combine(date(year, month, 1), time.min, LOCAL_TZ)
    following = date(year + month // 12, month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, LOCAL_TZ)


def bank_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Bank.code, Bank.name)).tuples().all())


def _bank(names: dict[str, str], code: str) -> str:
    return names.get(code) or bank_name(code)


def _paid_in(period: str):
    start, end = month_bounds(period)
    return (Proposal.paid_at >= start) & (Proposal.paid_at < end)


def production(session: Session, period: str) -> list[list[object]]:
    """[bank, product, store, contracts, gross, net] of proposals paid in the period."""
    store = aliased(OrgUnit)
    stmt = (
        select(
            Proposal.bank_code,
            Proposal.product,
            store.name,
            func.count(),
            money_sum(Proposal.gross_amount),
            money_sum(Proposal.net_amount),
        )
        .outerjoin(store, store.id == Proposal.store_id)
        .where(_paid_in(period))
        .group_by(Proposal.bank_code, Proposal.product, store.name)
    )
    names = bank_names(session)
    rows = [
        [_bank(names, b), product_label(p), s or NO_STORE, n, gross, net]
        for b, p, s, n, gross, net in session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[2])))


def _component(kind: str) -> str:
    if kind in EXTRA_KIND_LABELS:
        return EXTRA_KIND_LABELS[kind]
    try:
        return LineKind(kind).label
    except ValueError:
        return kind


def commissions(session: Session, period: str) -> list[list[object]]:
    """[payee, component, lines, amount] of the ledger lines posted in the period."""
    e = LedgerEntry
    stmt = (
        select(e.payee, func.max(Collaborator.name), e.kind, func.count(), money_sum(e.amount))
        .outerjoin(Collaborator, Collaborator.id == e.collaborator_id)
        .where(e.posting_period == check_period(period))
        .group_by(e.payee, e.kind)
    )
    rows = []
    for payee, name, kind, lines, amount in session.execute(stmt):
        label = COMPANY_LABEL if payee == COMPANY else (name or payee)
        rows.append([label, _component(kind), lines, amount])
    # The company's lines first, then people by name.
    return sorted(rows, key=lambda r: (r[0] != COMPANY_LABEL, str(r[0]), str(r[1])))


def reconciliation(session: Session, period: str, as_of: date) -> list[list[object]]:
    """[bank, expected, reported, received, reported − expected, received − reported,
    open items] per bank for the period."""
    result = reconcile(session, as_of=as_of, period=check_period(period))
    names = bank_names(session)
    rows = [
        [
            _bank(names, r.bank),
            r.expected,
            r.reported,
            r.received,
            r.reported_minus_expected,
            r.received_minus_reported,
            r.open_items,
        ]
        for r in result.rollup
        if r.period == period
    ]
    return sorted(rows, key=lambda r: str(r[0]))


@dataclass(frozen=True)
class Ranked:
    position: int
    name: str
    contracts: int
    gross: Decimal


def _ranked(rows: list[tuple[str, int, Decimal]]) -> list[Ranked]:
    ordered = sorted(rows, key=lambda r: (-r[2], -r[1], r[0]))
    return [Ranked(i, name, n, gross) for i, (name, n, gross) in enumerate(ordered, start=1)]


def store_ranking(session: Session, period: str) -> list[Ranked]:
    store = aliased(OrgUnit)
    stmt = (
        select(store.name, func.count(), money_sum(Proposal.gross_amount))
        .outerjoin(store, store.id == Proposal.store_id)
        .where(_paid_in(period))
        .group_by(store.id, store.name)
    )
    return _ranked([(name or NO_STORE, n, gross) for name, n, gross in session.execute(stmt)])


def agent_ranking(session: Session, period: str) -> list[Ranked]:
    stmt = (
        select(Collaborator.name, func.count(), money_sum(Proposal.gross_amount))
        .join(Collaborator, Collaborator.id == Proposal.agent_id)
        .where(_paid_in(period))
        .group_by(Collaborator.id, Collaborator.name)
    )
    return _ranked([(name, n, gross) for name, n, gross in session.execute(stmt)])


def payouts(session: Session, period: str) -> list[list[object]]:
    """[payee, store, statement, state, payable, paid on, method] of the period's
    approved or paid statements."""
    stmt = (
        select(Statement)
        .where(Statement.period == check_period(period), Statement.state != StatementState.DRAFT.value)
        .order_by(Statement.payee_name, Statement.id)
    )
    return [
        [
            s.payee_name,
            s.store_name or NO_STORE,
            s.id,
            s.state_label,
            s.payable,
            s.paid_on,
            s.method_label if s.paid_on else None,
        ]
        for s in session.scalars(stmt)
    ]
