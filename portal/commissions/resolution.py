"""The engine's groundwork: exact arithmetic, labels and table-row resolution.

:func:`resolve_row` picks, for a paid contract, the one table row that applies on its
payment date, or says in Portuguese why none does. Re-exported by
:mod:`portal.commissions.engine`, which builds the lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

from portal.commissions.types import (
    ANY,
    CalcBase,
    Contract,
    LineKind,
    Plan,
    PlanBasis,
    TableRow,
)
from portal.core.money import CENT, format_percent

__all__ = [
    "BANK_NAMES",
    "DEFAULT_BASE",
    "fraction_of",
    "Resolution",
    "base_amount",
    "bank_name",
    "contract_base",
    "index_rows",
    "month_add",
    "percent_of",
    "period_of",
    "plan_for",
    "product_label",
    "resolve_row",
    "round_half_up",
    "specificity",
]

#: Display names of the demo banks; any other code is shown as written.
BANK_NAMES: Mapping[str, str] = {
    "facta": "Facta",
    "daycoval": "Daycoval",
    "c6": "C6",
    "master": "Master",
    "bradesco": "Bradesco",
    "bmg": "BMG",
    "pan": "Pan",
}

#: Base of production-based repasse and overrides when no table row applies.
DEFAULT_BASE: Mapping[str, CalcBase] = {
    "refin": CalcBase.CASH_OUT,
    "portability": CalcBase.CASH_OUT,
    "portability_refin": CalcBase.CASH_OUT,
}

_EXACT = Context(prec=80)  # products of two money/percent decimals never lose a digit


# ------------------------------------------------------------------ arithmetic


def round_half_up(value: Decimal) -> Decimal:
    """Round to the centavo, half away from zero (``0,005`` → ``0,01``; ``-0,005`` → ``-0,01``)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``base``, from the exact product, rounded half up to the centavo."""
    return round_half_up(_EXACT.multiply(base, percent).scaleb(-2, context=_EXACT))


def fraction_of(amount: Decimal, numerator: int, denominator: int) -> Decimal:
    """``amount`` × numerator ÷ denominator rounded half up, in exact integer arithmetic."""
    cents = int(_EXACT.multiply(amount, Decimal(100)))
    sign = -1 if cents < 0 else 1
    quotient, remainder = divmod(abs(cents) * numerator, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return (Decimal(sign * quotient) / 100).quantize(CENT)


# ---------------------------------------------------------------- labels, dates


def bank_name(code: str) -> str:
    return BANK_NAMES.get(code.casefold(), code)


def product_label(code: str) -> str:
    # Imported lazily: the proposals models pull SQLAlchemy, the engine needs only labels.
    from portal.proposals.models import PRODUCT_LABELS

    return PRODUCT_LABELS.get(code, code)  # type: ignore[call-overload]


def period_of(day: date) -> str:
    """The competência of a date: ``aaaa-mm``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_add(period: str, months: int) -> str:
    """``month_add("2026-11", 3)`` → ``"2027-02"``."""
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _br_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ------------------------------------------------------------------ resolution


@dataclass(frozen=True)
class Resolution:
    """The table row that applies to a contract, or why none does."""

    row: TableRow | None
    problem: LineKind | None  # None, NO_TABLE or AMBIGUOUS
    reason: str
    candidates: tuple[TableRow, ...] = ()


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _matches_key(row_value: str, contract_value: str) -> bool:
    return row_value == ANY or _same(row_value, contract_value)


def _valid_on(row: TableRow, day: date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)


def specificity(row: TableRow) -> tuple[int, int, int, Decimal]:
    """Bigger is more specific: exact table code, exact agreement, narrower term, rate."""
    return (
        row.table_code != ANY,
        row.agreement != ANY,
        -(row.term_to - row.term_from),
        -(row.rate_to - row.rate_from),
    )


def index_rows(rows: Iterable[TableRow]) -> dict[tuple[str, str], tuple[TableRow, ...]]:
    """Rows grouped by (bank, product), casefolded: pass ``index.get(key, ())`` to
    :func:`resolve_row` to resolve many contracts without scanning every row each time."""
    groups: dict[tuple[str, str], list[TableRow]] = {}
    for row in rows:
        groups.setdefault((row.bank.casefold(), row.product.casefold()), []).append(row)
    return {key: tuple(value) for key, value in groups.items()}


def _filters(contract: Contract) -> list[tuple[Callable[[], str], Callable[[TableRow], bool]]]:
    """The matching steps in order, each with what it says when it leaves no row (built
    only then: most contracts match, and a recalculation resolves a whole month)."""
    c = contract
    return [
        (lambda: f"nenhuma versão vigente em {_br_date(c.paid_on)}", lambda r: _valid_on(r, c.paid_on)),
        (
            lambda: f"nenhuma linha para o convênio {c.agreement}",
            lambda r: _matches_key(r.agreement, c.agreement),
        ),
        (
            lambda: f"nenhuma linha para a tabela {c.table_code or '(vazia)'}",
            lambda r: _matches_key(r.table_code, c.table_code),
        ),
        (
            lambda: f"nenhuma linha cobre o prazo {c.term_months}",
            lambda r: r.term_from <= c.term_months <= r.term_to,
        ),
        (
            lambda: f"nenhuma linha cobre a taxa {format_percent(c.monthly_rate)}",
            lambda r: r.rate_from <= c.monthly_rate <= r.rate_to,
        ),
    ]


def _describe(contract: Contract) -> str:
    c = contract
    table = f", tabela {c.table_code}" if c.table_code else ""
    return (
        f"{bank_name(c.bank)} / {product_label(c.product)} / convênio {c.agreement}{table}, "
        f"prazo {c.term_months}, taxa {format_percent(c.monthly_rate)}, "
        f"pago em {_br_date(c.paid_on)}"
    )


def _name_rows(rows: Sequence[TableRow]) -> str:
    """``linhas 3 e 7 da tabela Facta v3`` (or each with its version when they differ)."""
    labels = {r.version_label for r in rows}
    numbers = [str(r.line_no) for r in rows]
    joined = ", ".join(numbers[:-1]) + " e " + numbers[-1]
    if len(labels) == 1:
        return f"linhas {joined} da tabela {rows[0].version_label}".rstrip()
    return " e ".join(r.ref for r in rows)


def resolve_row(contract: Contract, rows: Sequence[TableRow]) -> Resolution:
    """The most specific row valid on the contract's payment date, or the reason why not."""
    remaining = [
        r for r in rows if _same(r.bank, contract.bank) and _same(r.product, contract.product)
    ]
    if not remaining:
        reason = f"nenhuma linha de tabela para {_describe(contract)}: banco e produto sem tabela"
        return Resolution(None, LineKind.NO_TABLE, reason)
    for why, keep in _filters(contract):
        remaining = [r for r in remaining if keep(r)]
        if not remaining:
            reason = f"nenhuma linha de tabela para {_describe(contract)}: {why()}"
            return Resolution(None, LineKind.NO_TABLE, reason)
    best = max(specificity(r) for r in remaining)
    winners = tuple(r for r in remaining if specificity(r) == best)
    if len(winners) > 1:
        reason = (
            f"tabela ambígua: {_name_rows(winners)} valem igualmente para o contrato "
            f"{contract.number} ({_describe(contract)})"
        )
        return Resolution(None, LineKind.AMBIGUOUS, reason, winners)
    return Resolution(winners[0], None, winners[0].ref, winners)


# ----------------------------------------------------------------------- bases


def base_amount(contract: Contract, base: CalcBase) -> Decimal:
    """The contract's value on which percentages of ``base`` apply."""
    if base is CalcBase.GROSS:
        return contract.gross
    if base is CalcBase.NET:
        return contract.net
    if base is CalcBase.CASH_OUT:
        return contract.cash_out
    return contract.net + contract.insurance


def contract_base(contract: Contract, row: TableRow | None) -> tuple[CalcBase, Decimal]:
    """The row's base, or the product's default base when there is no row."""
    kind = row.base if row is not None else DEFAULT_BASE.get(contract.product, CalcBase.GROSS)
    return kind, base_amount(contract, kind)


def plan_for(plans: Iterable[Plan], payee: str, basis: PlanBasis, day: date) -> Plan | None:
    """The payee's plan of ``basis`` in force on ``day`` (the latest start wins an overlap)."""
    valid = [
        p
        for p in plans
        if _same(p.payee, payee) and p.basis is basis and p.valid_from <= day
        and (p.valid_to is None or day <= p.valid_to)
    ]
    return max(valid, key=lambda p: p.valid_from) if valid else None

