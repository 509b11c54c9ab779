"""Reported (bank file) against expected (ledger) per bank, period, contract and component.

Pure functions over plain values: the service loads the rows in a few grouped queries and
hands them here, so every outcome is testable without a database.

Signs are the company's: a credit is positive, a clawback negative. `difference` is always
reported − expected, so "short" (the bank paid less) is negative and "over" positive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")
CLAWBACK = "estorno"
COMPONENTS = ("flat", "diferido", "bonus", "fixo", "estorno", "outro")
COMPONENT_LABELS = {
    "flat": "À vista",
    "diferido": "Diferido",
    "bonus": "Bônus",
    "fixo": "Fixo",
    "estorno": "Estorno",
    "outro": "Outro",
}


class Outcome(StrEnum):
    MATCHED = "matched"
    PENDING = "pending"  # expected, not reported yet, still within the bank's N days
    SHORT = "short"
    OVER = "over"
    MISSING = "missing"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"
    UNEXPECTED_CLAWBACK = "unexpected_clawback"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def divergent(self) -> bool:
        return self not in (Outcome.MATCHED, Outcome.PENDING)


OUTCOME_LABELS = {
    Outcome.MATCHED: "Conferido",
    Outcome.PENDING: "Aguardando o banco",
    Outcome.SHORT: "Pago a menor",
    Outcome.OVER: "Pago a maior",
    Outcome.MISSING: "Não reportado",
    Outcome.UNKNOWN: "Contrato desconhecido",
    Outcome.DUPLICATE: "Duplicado",
    Outcome.UNEXPECTED_CLAWBACK: "Estorno não previsto",
}


@dataclass(frozen=True)
class Reported:
    """One bank report line (amount signed: debits negative)."""

    id: int
    bank: str
    contract: str
    component: str
    amount: Decimal
    line_date: date
    installment: int | None = None
    kind: str = "credito"


@dataclass(frozen=True)
class Expected:
    """The ledger's company total of one contract, component and competência."""

    bank: str
    contract: str
    component: str
    period: str
    amount: Decimal


@dataclass(frozen=True)
class Rules:
    tolerance: Decimal = Decimal("0.05")
    missing_after_days: int = 30


@dataclass(frozen=True)
class ItemKey:
    bank: str
    period: str
    contract: str
    component: str
    duplicate: bool = False


@dataclass(frozen=True)
class Item:
    key: ItemKey
    outcome: Outcome
    expected: Decimal
    reported: Decimal
    line_ids: tuple[int, ...] = field(default=())
    reported_contract: str = ""  # the bank's number when a link mapped it to ours

    @property
    def difference(self) -> Decimal:
        return self.reported - self.expected


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _compare(
    key: ItemKey, expected: Decimal, lines: list[Reported], rules: Rules, as_of: date
) -> Item | None:
    reported = sum((line.amount for line in lines), ZERO)
    ids = tuple(line.id for line in lines)
    if not lines:
        if expected == ZERO:
            return None
        late = as_of > period_end(key.period) + timedelta(days=rules.missing_after_days)
        return Item(key, Outcome.MISSING if late else Outcome.PENDING, expected, ZERO)
    if key.component == CLAWBACK and expected == ZERO and reported != ZERO:
        return Item(key, Outcome.UNEXPECTED_CLAWBACK, expected, reported, ids)
    gap = reported - expected
    if abs(gap) <= rules.tolerance:
        outcome = Outcome.MATCHED
    else:
        outcome = Outcome.SHORT if gap < ZERO else Outcome.OVER
    return Item(key, outcome, expected, reported, ids)


def _split_duplicates(lines: list[Reported]) -> tuple[list[Reported], list[Reported]]:
    """The first line of each (kind, installment, amount) stays; repeats are duplicates."""
    seen: set[tuple[str, int | None, Decimal]] = set()
    kept: list[Reported] = []
    extra: list[Reported] = []
    for line in sorted(lines, key=lambda r: (r.line_date, r.id)):
        mark = (line.kind, line.installment, line.amount)
        (extra if mark in seen else kept).append(line)
        seen.add(mark)
    return kept, extra


def match(
    expected: Iterable[Expected],
    reported: Iterable[Reported],
    *,
    known: set[tuple[str, str]],
    links: Mapping[tuple[str, str], str],
    rules: Mapping[str, Rules],
    as_of: date,
    default: Rules = Rules(),
) -> list[Item]:
    """Every item of the given rows: one per (bank, period, contract, component), plus one
    per group that holds duplicates. `known` holds (bank, contract) pairs of the ledger;
    `links` maps a bank's unknown contract number to ours."""
    groups: dict[ItemKey, list[Reported]] = defaultdict(list)
    original: dict[ItemKey, str] = {}
    for line in reported:
        contract = links.get((line.bank, line.contract), line.contract)
        key = ItemKey(line.bank, period_of(line.line_date), contract, line.component)
        groups[key].append(line)
        if contract != line.contract:
            original[key] = line.contract
    owed: dict[ItemKey, Decimal] = defaultdict(lambda: ZERO)
    for row in expected:
        owed[ItemKey(row.bank, row.period, row.contract, row.component)] += row.amount
    items: list[Item] = []
    for key in sorted(set(groups) | set(owed), key=_order):
        lines = groups.get(key, [])
        bank_rules = rules.get(key.bank, default)
        if lines and (key.bank, key.contract) not in known:
            total = sum((line.amount for line in lines), ZERO)
            items.append(Item(key, Outcome.UNKNOWN, ZERO, total, tuple(r.id for r in lines)))
            continue
        kept, extra = _split_duplicates(lines)
        if extra:
            dup_key = ItemKey(key.bank, key.period, key.contract, key.component, True)
            total = sum((line.amount for line in extra), ZERO)
            items.append(Item(dup_key, Outcome.DUPLICATE, ZERO, total, tuple(r.id for r in extra)))
        item = _compare(key, owed.get(key, ZERO), kept, bank_rules, as_of)
        if item is not None:
            if key in original:
                item = Item(
                    item.key, item.outcome, item.expected, item.reported, item.line_ids, original[key]
                )
            items.append(item)
    return items


def _order(key: ItemKey) -> tuple:
    return (
        key.bank,
        key.period,
        key.contract,
        COMPONENTS.index(key.component) if key.component in COMPONENTS else 99,
        key.component,
    )
