"""The bank × period rollup without matching every ledger item in Python.

Most expected items are "untouched": no bank line, acceptance or dispute names their
contract. Such an item can only be awaited (PENDING) or not reported (MISSING), decided by
its bank's rules and its period alone, so SQL counts and sums them per bank × period. Only
the contracts the bank files or people's decisions touch are matched item by item (the same
`match` and `_view` as `service.reconcile`, per key, hence the same figures to the centavo).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.reconciliation.matching import (
    COMPONENTS,
    Expected,
    ItemKey,
    Outcome,
    Rules,
    match,
    period_end,
    period_of,
)
from portal.commissions.reconciliation.models import Dispute, ReceivedPayment
from portal.commissions.reconciliation.rules import load_rules
from portal.commissions.reconciliation.service import (
    CHUNK,
    ZERO,
    BankPeriod,
    ItemView,
    _expected,
    _filters,
    _known,
    _view,
    decisions,
    reconcile,
    reported_and_links,
)
from portal.commissions.types import COMPANY
from portal.core.db import money_sum

CENT = Decimal("0.01")


@dataclass
class Summary:
    rollup: list[BankPeriod]
    missing: dict[str, int]  # open "not reported" items per bank


def _company(e=LedgerEntry) -> list:
    return [e.payee == COMPANY, e.kind.in_(COMPONENTS), e.source != EntrySource.RECONCILIATION.value]


def _scope(e, bank: str, period: str, current: str) -> list:
    out = [e.bank_code == bank] if bank else []
    out.append(e.competence == period if period else e.competence <= current)
    return out


def _aggregate(session: Session, where: list) -> dict[tuple[str, str], tuple[int, Decimal, Decimal]]:
    """Per (bank, period): (items with a non-zero total, their total, every line's total)."""
    e = LedgerEntry
    cents = func.sum(type_coerce(e.amount, BigInteger)).label("cents")
    groups = (
        select(e.bank_code, e.competence, cents)
        .where(*where)
        .group_by(e.bank_code, e.contract, e.kind, e.competence)
        .subquery()
    )
    stmt = select(
        groups.c.bank_code,
        groups.c.competence,
        func.count().filter(groups.c.cents != 0),
        func.coalesce(func.sum(groups.c.cents), 0),
    ).group_by(groups.c.bank_code, groups.c.competence)
    out = {}
    for b, p, count, total in session.execute(stmt):
        money = (Decimal(int(total)) / 100).quantize(CENT)
        out[(b, p)] = (int(count), money, money)
    return out


def _expected_of(session: Session, contracts: dict[str, set[str]], where: list) -> list[Expected]:
    """The grouped expected rows of the touched contracts: by indexed contract (chunked) when
    they are few, else the scope's rows (index-only) kept when touched."""
    e = LedgerEntry
    rows: list[Expected] = []
    if sum(len(numbers) for numbers in contracts.values()) > CHUNK:
        stmt = (
            select(e.bank_code, e.contract, e.kind, e.competence, money_sum(e.amount))
            .where(*where)
            .group_by(e.bank_code, e.contract, e.kind, e.competence)
        )
        return [Expected(*row) for row in session.execute(stmt) if row[1] in contracts.get(row[0], ())]
    for b, numbers in sorted(contracts.items()):
        ordered = sorted(numbers)
        for start in range(0, len(ordered), CHUNK):
            stmt = (
                select(e.bank_code, e.contract, e.kind, e.competence, money_sum(e.amount))
                .where(*where, e.bank_code == b, e.contract.in_(ordered[start : start + CHUNK]))
                .group_by(e.bank_code, e.contract, e.kind, e.competence)
            )
            rows.extend(Expected(*row) for row in session.execute(stmt))
    return rows


@dataclass
class _Context:
    """What every path reads first: bank lines, links, rules, decisions, touched contracts."""

    lines: list
    links: dict[tuple[str, str], str]
    default: Rules
    per_bank: dict[str, Rules]
    accepted: dict[ItemKey, Decimal]
    disputes: dict[ItemKey, Dispute]
    touched: dict[str, set[str]]
    where: list


def _context(session: Session, as_of: date, bank: str, period: str) -> _Context:
    current = as_of.strftime("%Y-%m")
    lines, links = reported_and_links(session, bank, period)
    default, per_bank = load_rules(session, as_of)
    accepted, disputes = decisions(session, bank, period)
    touched: dict[str, set[str]] = defaultdict(set)
    for r in lines:
        touched[r.bank].add(links.get((r.bank, r.contract), r.contract))
    for key in (*accepted, *disputes):
        touched[key.bank].add(key.contract)
    where = [*_company(), *_scope(LedgerEntry, bank, period, current)]
    return _Context(lines, links, default, per_bank, accepted, disputes, touched, where)


def _views(session: Session, ctx: _Context, expected: list[Expected], as_of: date) -> list[ItemView]:
    lines, links = ctx.lines, ctx.links
    pairs = {(r.bank, links.get((r.bank, r.contract), r.contract)) for r in lines}
    items = match(
        expected,
        lines,
        known=_known(session, pairs),
        links=links,
        rules=ctx.per_bank,
        as_of=as_of,
        default=ctx.default,
    )
    return [
        _view(
            i,
            ctx.accepted.get(i.key, ZERO),
            ctx.disputes.get(i.key),
            ctx.per_bank.get(i.key.bank, ctx.default),
            as_of,
        )
        for i in items
    ]


def divergent_items(session: Session, *, as_of: date, bank: str, period: str) -> list[ItemView]:
    """`[v for v in reconcile(...).items if v.item.outcome.divergent]` of one period: an
    untouched item there is divergent only once its bank's days to report are over, so a
    bank still within them needs its touched contracts alone."""
    ctx = _context(session, as_of, bank, period)

    def late(rules: Rules) -> bool:
        return as_of > period_end(period) + timedelta(days=rules.missing_after_days)

    if late(ctx.default):
        return [
            v
            for v in reconcile(session, as_of=as_of, bank=bank, period=period).items
            if v.item.outcome.divergent
        ]
    expected = _expected_of(session, ctx.touched, ctx.where)
    for code, rules in sorted(ctx.per_bank.items()):
        if late(rules) and (not bank or code == bank):
            expected = [x for x in expected if x.bank != code] + _expected(session, code, period)
    return [v for v in _views(session, ctx, expected, as_of) if v.item.outcome.divergent]


def summarize(session: Session, *, as_of: date, bank: str = "", period: str = "") -> Summary:
    """`reconcile(...).rollup` (and the open missing items per bank) of the same scope."""
    ctx = _context(session, as_of, bank, period)
    lines, default, per_bank, where = ctx.lines, ctx.default, ctx.per_bank, ctx.where
    expected = _expected_of(session, ctx.touched, where)
    views = _views(session, ctx, expected, as_of)
    table: dict[tuple[str, str], BankPeriod] = {}

    def row(b: str, p: str) -> BankPeriod:
        return table.setdefault((b, p), BankPeriod(b, p))

    missing: dict[str, int] = defaultdict(int)
    # Untouched items: all of the period's items less the touched contracts' ones.
    detailed_count: dict[tuple[str, str], int] = defaultdict(int)
    detailed_amount: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for x in expected:
        if x.amount != ZERO:
            detailed_count[(x.bank, x.period)] += 1
            detailed_amount[(x.bank, x.period)] += x.amount
    for (b, p), (count, nonzero, total) in _aggregate(session, where).items():
        target = row(b, p)
        target.expected += total
        count -= detailed_count[(b, p)]
        amount = nonzero - detailed_amount[(b, p)]
        if count == 0:
            continue
        rules = per_bank.get(b, default)
        late = as_of > period_end(p) + timedelta(days=rules.missing_after_days)
        target.counts[(Outcome.MISSING if late else Outcome.PENDING).value] += count
        if late:
            target.open_items += count
            target.open_difference -= amount
            missing[b] += count
    for r in lines:
        row(r.bank, period_of(r.line_date)).reported += r.amount
    for v in views:
        row(v.key.bank, v.key.period).count(v)
        if v.is_open and v.item.outcome == Outcome.MISSING:
            missing[v.key.bank] += 1
    rp = ReceivedPayment
    received = select(rp.bank_code, rp.period, money_sum(rp.amount)).group_by(rp.bank_code, rp.period)
    for b, p, total in session.execute(received.where(*_filters(rp, bank, period))):
        row(b, p).received += total
    rollup = sorted(table.values(), key=lambda x: (x.period, x.bank), reverse=True)
    return Summary(rollup, dict(missing))
