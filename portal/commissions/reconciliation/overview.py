"""What the reconciliation pages add on top of the items: aging of open items, exposure
per bank (deferred commission still owed) and one contract's lines side by side."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.models import Bank
from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.reconciliation import reported as reported_side
from portal.commissions.reconciliation.matching import Reported, period_of
from portal.commissions.reconciliation.models import Acceptance, ContractLink, Dispute
from portal.commissions.reconciliation.service import ItemView
from portal.commissions.types import COMPANY, LineKind
from portal.core.db import money_sum

ZERO = Decimal("0.00")
BUCKETS = (
    ("0-30", "0 a 30 dias", 0, 30),
    ("31-60", "31 a 60 dias", 31, 60),
    ("61-90", "61 a 90 dias", 61, 90),
    ("90+", "Mais de 90 dias", 91, None),
)


def bucket_of(days: int) -> str:
    for code, _label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return code
    return BUCKETS[0][0]


@dataclass
class AgingRow:
    bank: str
    counts: dict[str, int]
    amounts: dict[str, Decimal]

    @property
    def total_count(self) -> int:
        return sum(self.counts.values())

    @property
    def total_amount(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def aging(views: Iterable[ItemView]) -> list[AgingRow]:
    """Open items (open or in dispute) per bank and age bucket, counted from the period's end."""
    rows: dict[str, AgingRow] = {}
    for view in views:
        if not view.is_open:
            continue
        row = rows.setdefault(
            view.key.bank, AgingRow(view.key.bank, defaultdict(int), defaultdict(lambda: ZERO))
        )
        bucket = bucket_of(view.age_days)
        row.counts[bucket] += 1
        row.amounts[bucket] += view.open_difference
    return sorted(rows.values(), key=lambda r: r.bank)


@dataclass(frozen=True)
class Exposure:
    bank: str
    name: str
    under_liquidation: bool
    deferred_owed: Decimal  # future diferido ledger lines of the company
    reported: Decimal  # … of which already reported by the bank

    @property
    def exposure(self) -> Decimal:
        return self.deferred_owed - self.reported


def exposure(session: Session, as_of: date) -> list[Exposure]:
    """Per bank: deferred commission still owed from the current month on, not yet reported."""
    month = period_of(as_of)
    e = LedgerEntry
    owed: dict[str, Decimal] = dict(
        session.execute(  # type: ignore[arg-type]
            select(e.bank_code, money_sum(e.amount))
            .where(
                e.payee == COMPANY,
                e.kind == LineKind.DEFERRED.value,
                e.competence >= month,
                e.source != EntrySource.RECONCILIATION.value,
            )
            .group_by(e.bank_code)
        ).all()
    )
    reported = reported_side.deferred_reported_since(session, date.fromisoformat(month + "-01"))
    banks = session.execute(select(Bank.code, Bank.name, Bank.under_liquidation).order_by(Bank.name)).all()
    return [
        Exposure(code, name, bool(flag), owed.get(code, ZERO), reported.get(code, ZERO))
        for code, name, flag in banks
        if owed.get(code) or flag
    ]


@dataclass
class ContractDetail:
    bank: str
    contract: str
    reported_numbers: list[str]
    expected: list[LedgerEntry]
    adjustments: list[LedgerEntry]
    reported: list[Reported]
    acceptances: list[Acceptance]
    disputes: list[Dispute]

    @property
    def expected_total(self) -> Decimal:
        return sum((e.amount for e in self.expected), ZERO)

    @property
    def adjustments_total(self) -> Decimal:
        return sum((e.amount for e in self.adjustments), ZERO)

    @property
    def reported_total(self) -> Decimal:
        return sum((r.amount for r in self.reported), ZERO)


def contract_detail(session: Session, bank: str, contract: str) -> ContractDetail:
    """Ledger company lines, bank lines (under our number or a linked one), decisions: 5 queries."""
    linked = list(
        session.scalars(
            select(ContractLink.reported_contract).where(
                ContractLink.bank_code == bank, ContractLink.contract == contract
            )
        )
    )
    entries = list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.bank_code == bank, LedgerEntry.contract == contract, LedgerEntry.payee == COMPANY
            )
            .order_by(LedgerEntry.competence, LedgerEntry.id)
        )
    )
    lines = reported_side.load(session, bank=bank, contracts=[contract, *linked])
    keyed = {"bank_code": bank, "contract": contract}
    acceptances = list(session.scalars(select(Acceptance).filter_by(**keyed).order_by(Acceptance.id)))
    disputes = list(session.scalars(select(Dispute).filter_by(**keyed).order_by(Dispute.id)))
    recon = EntrySource.RECONCILIATION.value
    return ContractDetail(
        bank,
        contract,
        linked,
        [e for e in entries if e.source != recon],
        [e for e in entries if e.source == recon],
        lines,
        acceptances,
        disputes,
    )
