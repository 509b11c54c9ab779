"""Amounts of a demo proposal a correspondent would believe.

The installment fits the client's payroll margin (the margin percentages are the
regulatory parameters of portal/banks/rules.py: 35 % of the benefit or salary for loans,
5 % for the RMC card, 5 % for the RCC benefit card); the gross is a usual ticket for the
product; the installment comes from the Price formula at the proposal's monthly rate and
the IOF is the one portal/banks/cet.py finances into a loan. FGTS anticipation is not a
payroll deduction: it has no margin, its "installments" are ten yearly withdrawals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from portal.banks.cet import add_months, iof_per_unit
from portal.banks.rules import margin_amount

CENT = Decimal("0.01")
TEN = Decimal(10)
D = Decimal


@dataclass(frozen=True)
class ProductSpec:
    margin: str | None  # regulatory parameter with the margin %, None when not consigned
    gross: tuple[Decimal, Decimal]  # usual ticket (cards: multiples of the benefit)
    rates: tuple[str, ...]  # monthly %, within the INSS caps for INSS products
    terms: tuple[int, ...]
    cash_share: tuple[int, int] | None = None  # refin/portability: % of the gross paid out


LOAN_RATES = ("1.66", "1.72", "1.79", "1.85")
REFIN = ProductSpec("inss_margin_loans_pct", (D(3000), D(60000)), LOAN_RATES, (72, 84), (25, 55))
SPECS: dict[str, ProductSpec] = {
    "new": ProductSpec("inss_margin_loans_pct", (D(1000), D(30000)), LOAN_RATES, (24, 36, 48, 60, 72, 84)),
    "refin": REFIN,
    "portability": ProductSpec(
        "inss_margin_loans_pct", (D(3000), D(60000)), LOAN_RATES, (72, 84), (3, 12)
    ),
    "portability_refin": REFIN,
    # Card limit: the Price value of the whole card margin, 1.5–2× the benefit.
    "card": ProductSpec("inss_margin_rmc_pct", (D("1.5"), D(2)), ("2.20", "2.46"), (84,)),
    "benefit_card": ProductSpec("inss_margin_rcc_pct", (D("1.5"), D(2)), ("2.20", "2.46"), (84,)),
    # Crédito do Trabalhador: 35 % of the salary, the same loans percentage.
    "clt": ProductSpec(
        "inss_margin_loans_pct", (D(1000), D(20000)), ("2.89", "3.19", "3.49"), (12, 24, 36, 48)
    ),
    "fgts": ProductSpec(None, (D(300), D(5000)), ("1.79",), (10,)),
}
CARDS = frozenset({"card", "benefit_card"})
# Which products each kind of payroll link can take (FGTS: workers, i.e. CLT links).
PRODUCTS_OF_AGREEMENT = {
    "INSS": frozenset(SPECS) - {"clt", "fgts"},
    "SIAPE": frozenset({"new", "refin", "portability", "portability_refin", "card"}),
    "GOV-SP": frozenset({"new", "refin", "portability", "portability_refin", "card"}),
    "CLT": frozenset({"clt", "fgts"}),
}


@dataclass(frozen=True)
class Amounts:
    gross: Decimal
    net: Decimal
    installment: Decimal
    monthly_rate: Decimal
    term: int


def price_factor(rate_pct: Decimal, term: int) -> Decimal:
    """Installment per 1 of gross (Price table)."""
    rate = rate_pct / 100
    return rate / (1 - (1 + rate) ** -term)


@lru_cache(maxsize=4096)
def _iof_unit(rate_pct: Decimal, term: int, released_on: date, daily: Decimal, flat: Decimal) -> Decimal:
    return iof_per_unit(rate_pct, released_on, add_months(released_on, 1), term, daily, flat)


def _iof(
    amount: Decimal, rate: Decimal, term: int, released_on: date, iof: tuple[Decimal, Decimal]
) -> Decimal:
    return (amount * _iof_unit(rate, term, released_on, *iof)).quantize(CENT, rounding=ROUND_HALF_UP)


def _floor(value: Decimal, step: Decimal = CENT) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_DOWN) * step


def plan_amounts(
    rng: random.Random,
    product: str,
    income: Decimal,
    margin_pct: Decimal | None,
    released_on: date,
    iof: tuple[Decimal, Decimal],
) -> Amounts:
    """Gross, net, installment, rate and term of one demo proposal for a client earning
    `income` a month whose margin for the product is `margin_pct` % of it."""
    spec = SPECS[product]
    rate = Decimal(rng.choice(spec.rates))
    term = rng.choice(spec.terms)
    low, high = spec.gross
    if product == "fgts":  # ten yearly withdrawals at the yearly equivalent of the rate
        gross = _floor(low + (high - low) * Decimal(rng.random() ** 2), TEN)
        yearly = ((1 + rate / 100) ** 12 - 1) * 100
        installment = (gross * price_factor(yearly, term)).quantize(CENT, rounding=ROUND_HALF_UP)
        unit = (iof[1] + iof[0] * 365) / 100  # every withdrawal is a year or more away
        net = gross - (gross * unit).quantize(CENT, rounding=ROUND_HALF_UP)
        return Amounts(gross, net, installment, rate, term)
    assert margin_pct is not None
    margin = margin_amount(income, margin_pct)
    factor = price_factor(rate, term)
    capacity = _floor(margin / factor)  # the largest gross whose installment fits the margin
    if product in CARDS:
        low, high = income * low, income * high
        wanted = low + (high - low) * Decimal(rng.random())
    else:  # most tickets are small, a few reach the top of the range
        wanted = _floor(low + (high - low) * Decimal(rng.random() ** 2), TEN)
    gross = min(wanted, high, capacity).quantize(CENT, rounding=ROUND_DOWN)
    if gross < low:
        raise ValueError(f"{product}: margin {margin} too small for a usual ticket")
    installment = (gross * factor).quantize(CENT, rounding=ROUND_HALF_UP)
    if spec.cash_share:  # the rest of the gross pays off the old contract
        share = Decimal(rng.randint(*spec.cash_share)) / 100
        new_money = (gross * share).quantize(CENT, rounding=ROUND_HALF_UP)
        net = new_money - _iof(new_money, rate, term, released_on, iof)
    else:
        net = gross - _iof(gross, rate, term, released_on, iof)
    return Amounts(gross, net, installment, rate, term)
