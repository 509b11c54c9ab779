"""IOF financed into a consigned loan and the CET the client is shown (pure arithmetic).

IOF for individuals (Decreto 6.306/2007): a daily rate on each installment's principal
amortisation, counted from the release to that installment's due date and capped at 365
days, plus a flat rate on the amount. Banks finance it: the gross is solved so that
gross = net + IOF(gross), and the installments pay the gross off at the contract rate.
The CET is the monthly rate that equates the net the client receives with the
installments on their due dates (commercial months of 30 days); yearly = (1+m)^12 − 1.
The two rates are effective-dated regulatory parameters (see rules.iof_rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
IOF_DAYS_CAP = 365


@dataclass(frozen=True)
class Financing:
    net: Decimal  # what the client receives
    iof: Decimal
    gross: Decimal  # net + IOF, what the installments pay off
    installment: Decimal
    cet_monthly_pct: Decimal
    cet_annual_pct: Decimal


def add_months(start: date, months: int) -> date:
    """Same day `months` later, or the month's last day when it has no such day."""
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)  # pragma: no cover - day 28 exists in every month


def _amortisations(rate: Decimal, term: int) -> list[Decimal]:
    """Principal paid by each installment of a price table, per 1 of principal."""
    factor = rate / (1 - (1 + rate) ** -term) if rate else Decimal(1) / term
    balance, parts = Decimal(1), []
    for _ in range(term):
        part = factor - balance * rate
        parts.append(part)
        balance -= part
    return parts


def _irr_monthly(net: Decimal, installment: Decimal, days: list[int]) -> Decimal:
    """The m with Σ installment / (1+m)^(days/30) = net, by bisection (monotone in m)."""
    low, high = Decimal(0), Decimal(1)
    for _ in range(60):  # 2^-60: far below the centavo of a rate shown with two places
        middle = (low + high) / 2
        daily = 1 / (1 + middle) ** (Decimal(1) / 30)  # one fractional power, then whole ones
        present = sum(installment * daily**d for d in days)
        low, high = (middle, high) if present > net else (low, middle)
    return (low + high) / 2


def _due_days(released_on: date, first_due: date, term: int) -> list[int]:
    return [(add_months(first_due, k) - released_on).days for k in range(term)]


def _iof_per_unit(rate: Decimal, days: list[int], daily_pct: Decimal, flat_pct: Decimal) -> Decimal:
    """IOF per 1 of principal: flat + daily × Σ amortisation × min(days, 365)."""
    parts = _amortisations(rate, len(days))
    weighted = sum(part * min(d, IOF_DAYS_CAP) for part, d in zip(parts, days, strict=True))
    return flat_pct / 100 + daily_pct / 100 * weighted


def iof_per_unit(
    monthly_rate_pct: Decimal,
    released_on: date,
    first_due: date,
    term: int,
    iof_daily_pct: Decimal,
    iof_flat_pct: Decimal,
) -> Decimal:
    """IOF per 1 of gross on a price-table loan (multiply by the gross, round half-up)."""
    with localcontext() as ctx:
        ctx.prec = 28
        days = _due_days(released_on, first_due, term)
        return _iof_per_unit(monthly_rate_pct / 100, days, iof_daily_pct, iof_flat_pct)


def cet_of_gross(
    gross: Decimal,
    installment: Decimal,
    monthly_rate_pct: Decimal,
    released_on: date,
    first_due: date,
    term: int,
    iof_daily_pct: Decimal,
    iof_flat_pct: Decimal,
) -> tuple[Decimal, Decimal]:
    """(IOF, CET yearly %) of a priced loan whose gross already includes the IOF: the
    client receives gross − IOF(gross) and pays `installment` on each due date."""
    with localcontext() as ctx:
        ctx.prec = 28
        days = _due_days(released_on, first_due, term)
        per_unit = iof_per_unit(monthly_rate_pct, released_on, first_due, term, iof_daily_pct, iof_flat_pct)
        iof = (gross * per_unit).quantize(CENT, rounding=ROUND_HALF_UP)
        monthly = _irr_monthly(gross - iof, installment, days)
        annual = ((1 + monthly) ** 12 - 1) * 100
    return iof, annual.quantize(CENT, rounding=ROUND_HALF_UP)


def finance(
    net: Decimal,
    monthly_rate_pct: Decimal,
    term: int,
    released_on: date,
    first_due: date,
    iof_daily_pct: Decimal,
    iof_flat_pct: Decimal,
) -> Financing:
    """Gross with the IOF financed, the installment (half-up to the centavo) and the CET."""
    with localcontext() as ctx:
        ctx.prec = 28
        rate = monthly_rate_pct / 100
        days = _due_days(released_on, first_due, term)
        per_unit = _iof_per_unit(rate, days, iof_daily_pct, iof_flat_pct)
        gross = (net / (1 - per_unit)).quantize(CENT, rounding=ROUND_HALF_UP)
        factor = rate / (1 - (1 + rate) ** -term) if rate else Decimal(1) / term
        installment = (gross * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        monthly = _irr_monthly(net, installment, days)
        annual = (1 + monthly) ** 12 - 1
    return Financing(
        net=net,
        iof=gross - net,
        gross=gross,
        installment=installment,
        cet_monthly_pct=(monthly * 100).quantize(CENT, rounding=ROUND_HALF_UP),
        cet_annual_pct=(annual * 100).quantize(CENT, rounding=ROUND_HALF_UP),
    )
