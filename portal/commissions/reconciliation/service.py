"""Reconciliation computed on the fly: a fixed handful of grouped queries (ledger, report
lines, links, rules, acceptances, disputes, received), then pure matching in memory.

Nothing about the matching is stored, so re-running is naturally idempotent; people's
decisions (acceptances, disputes, links) are stored and applied on top.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.reconciliation import reported as reported_side
from portal.commissions.reconciliation.matching import (
    COMPONENTS,
    Expected,
    Item,
    ItemKey,
    Outcome,
    Rules,
    match,
    period_end,
)
from portal.commissions.reconciliation.models import (
    Acceptance,
    ContractLink,
    Dispute,
    DisputeState,
    ReceivedPayment,
)
from portal.commissions.reconciliation.rules import load_rules
from portal.commissions.types import COMPANY
from portal.core.db import money_sum

ZERO = Decimal("0.00")
CHUNK = 5000


class Status:
    OPEN = "aberto"
    DISPUTED = "em_disputa"
    ACCEPTED = "aceito"
    OK = "conferido"
    WAITING = "aguardando"


STATUS_LABELS = {
    Status.OPEN: "Em aberto",
    Status.DISPUTED: "Em disputa",
    Status.ACCEPTED: "Aceito",
    Status.OK: "Conferido",
    Status.WAITING: "Aguardando o banco",
}


@dataclass(frozen=True)
class ItemView:
    item: Item
    accepted: Decimal
    dispute: Dispute | None
    status: str
    age_days: int
    tolerance: Decimal

    @property
    def key(self) -> ItemKey:
        return self.item.key

    @property
    def open_difference(self) -> Decimal:
        return self.item.difference - self.accepted

    @property
    def is_open(self) -> bool:
        return self.status in (Status.OPEN, Status.DISPUTED)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class BankPeriod:
    bank: str
    period: str
    expected: Decimal = ZERO
    reported: Decimal = ZERO
    received: Decimal = ZERO
    adjustments: Decimal = ZERO
    open_items: int = 0
    open_difference: Decimal = ZERO
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def reported_minus_expected(self) -> Decimal:
        return self.reported - self.expected

    @property
    def received_minus_reported(self) -> Decimal:
        return self.received - self.reported

    def count(self, view: ItemView) -> None:
        """Add one matched item: its outcome, the amount accepted and, while open, its
        difference."""
        self.counts[view.item.outcome.value] += 1
        self.adjustments += view.accepted
        if view.is_open:
            self.open_items += 1
            self.open_difference += view.open_difference


@dataclass
class Reconciliation:
    items: list[ItemView]
    rollup: list[BankPeriod]


def _key_tuple(record: Acceptance | Dispute) -> ItemKey:
    return ItemKey(record.bank_code, record.period, record.contract, record.component, record.duplicate)


def _filters(model, bank: str, period: str) -> list:
    out = []
    if bank:
        out.append(model.bank_code == bank)
    if period:
        out.append(model.period == period)
    return out


def _expected(session: Session, bank: str, period: str) -> list[Expected]:
    e = LedgerEntry
    stmt = (
        select(e.bank_code, e.contract, e.kind, e.competence, money_sum(e.amount))
        .where(e.payee == COMPANY, e.kind.in_(COMPONENTS), e.source != EntrySource.RECONCILIATION.value)
        .group_by(e.bank_code, e.contract, e.kind, e.competence)
    )
    if bank:
        stmt = stmt.where(e.bank_code == bank)
    if period:
        stmt = stmt.where(e.competence == period)
    return [Expected(b, c, k, p, a) for b, c, k, p, a in session.execute(stmt)]


def _known(session: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (bank, contract) pairs the ledger holds, among `pairs`.

    Looked up by contract (an indexed IN list, chunked) and the bank matched here: a row-value
    `(bank, contract) IN (...)` list is not indexable, and PostgreSQL compared every ledger
    row with every pair (12 s for 5,000 pairs over 270,000 rows; the load suite found it)."""
    found: set[tuple[str, str]] = set()
    contracts = sorted({contract for _, contract in pairs})
    for start in range(0, len(contracts), CHUNK):
        stmt = (
            select(LedgerEntry.bank_code, LedgerEntry.contract)
            .where(LedgerEntry.payee == COMPANY, LedgerEntry.contract.in_(contracts[start : start + CHUNK]))
            .distinct()
        )
        found.update((b, c) for b, c in session.execute(stmt) if (b, c) in pairs)
    return found


def reported_and_links(
    session: Session, bank: str, period: str
) -> tuple[list[reported_side.Reported], dict[tuple[str, str], str]]:
    """The bank's report lines in scope and the contract links (bank, reported number) →
    the portal's contract."""
    start = date.fromisoformat(period + "-01") if period else None
    end = period_end(period) if period else None
    lines = reported_side.load(session, bank=bank, start=start, end=end)
    link_stmt = select(ContractLink.bank_code, ContractLink.reported_contract, ContractLink.contract)
    if bank:
        link_stmt = link_stmt.where(ContractLink.bank_code == bank)
    return lines, {(b, r): c for b, r, c in session.execute(link_stmt)}


def decisions(
    session: Session, bank: str, period: str
) -> tuple[dict[ItemKey, Decimal], dict[ItemKey, Dispute]]:
    """People's decisions in scope: accepted amounts summed per item key, and each key's
    latest dispute."""
    accepted: dict[ItemKey, Decimal] = defaultdict(lambda: ZERO)
    a = Acceptance
    stmt = select(a.bank_code, a.period, a.contract, a.component, a.duplicate, money_sum(a.amount)).group_by(
        a.bank_code, a.period, a.contract, a.component, a.duplicate
    )
    for b, p, c, comp, dup, total in session.execute(stmt.where(*_filters(a, bank, period))):
        accepted[ItemKey(b, p, c, comp, dup)] = total
    disputes: dict[ItemKey, Dispute] = {}
    for record in session.scalars(
        select(Dispute).where(*_filters(Dispute, bank, period)).order_by(Dispute.id)
    ):
        disputes[_key_tuple(record)] = record  # the latest one wins
    return accepted, disputes


def reconcile(session: Session, *, as_of: date, bank: str = "", period: str = "") -> Reconciliation:
    """Every item and the bank × period rollup of the given bank and period (all when empty)."""
    lines, links = reported_and_links(session, bank, period)
    pairs = {(r.bank, links.get((r.bank, r.contract), r.contract)) for r in lines}
    default, per_bank = load_rules(session, as_of)
    expected = _expected(session, bank, period)
    if not period:
        # Deferred lines of months still to come are not due yet: they are exposure
        # (see overview.exposure), not divergences. An explicit period shows them anyway.
        current = as_of.strftime("%Y-%m")
        expected = [e for e in expected if e.period <= current]
    items = match(
        expected,
        lines,
        known=_known(session, pairs),
        links=links,
        rules=per_bank,
        as_of=as_of,
        default=default,
    )
    accepted, disputes = decisions(session, bank, period)
    views = [
        _view(i, accepted.get(i.key, ZERO), disputes.get(i.key), per_bank.get(i.key.bank, default), as_of)
        for i in items
    ]
    return Reconciliation(views, _rollup(session, views, expected, lines, bank, period))


def _view(item: Item, accepted: Decimal, dispute: Dispute | None, rules: Rules, as_of: date) -> ItemView:
    age = max((as_of - period_end(item.key.period)).days, 0)
    if item.outcome == Outcome.MATCHED:
        status = Status.OK
    elif item.outcome == Outcome.PENDING:
        status = Status.WAITING
    elif dispute is not None and dispute.state == DisputeState.OPEN.value:
        status = Status.DISPUTED
    elif accepted != ZERO and abs(item.difference - accepted) <= rules.tolerance:
        status = Status.ACCEPTED
    else:
        status = Status.OPEN
    return ItemView(item, accepted, dispute, status, age, rules.tolerance)


def _rollup(session, views, expected, lines, bank: str, period: str) -> list[BankPeriod]:
    table: dict[tuple[str, str], BankPeriod] = {}

    def row(b: str, p: str) -> BankPeriod:
        if (b, p) not in table:
            table[(b, p)] = BankPeriod(b, p)
        return table[(b, p)]

    for e in expected:
        row(e.bank, e.period).expected += e.amount
    for r in lines:
        row(r.bank, f"{r.line_date:%Y-%m}").reported += r.amount
    for v in views:
        row(v.key.bank, v.key.period).count(v)
    r = ReceivedPayment
    stmt = select(r.bank_code, r.period, money_sum(r.amount)).group_by(r.bank_code, r.period)
    for b, p, total in session.execute(stmt.where(*_filters(r, bank, period))):
        row(b, p).received += total
    return sorted(table.values(), key=lambda x: (x.period, x.bank), reverse=True)


def find_item(session: Session, key: ItemKey, as_of: date) -> ItemView | None:
    """The current state of one item (its bank and period recomputed)."""
    result = reconcile(session, as_of=as_of, bank=key.bank, period=key.period)
    return next((v for v in result.items if v.key == key), None)
