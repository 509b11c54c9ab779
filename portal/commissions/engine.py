"""The commission engine: one pure function from a paid contract to its commission lines.

Used alike by the ledger (posting and recalculation), the pages and the calculator over
files, so all three always agree. No database, no Flask, no float: every line is the
exact product rounded once, half up, to the centavo, and explains itself in Portuguese.

Decisions:

- Without a table row (none, or two equally specific ones) the company gets a single
  ``sem_tabela`` / ``tabela_ambigua`` line of R$ 0,00 whose explanation is the reason —
  never a silent zero, never an arbitrary pick. Commission-based repasse cannot be
  computed then; production-based repasse and overrides don't need the table and still
  are, on the product's default base (:data:`DEFAULT_BASE`). With no row there is no
  clawback window either, so no estorno is computed until the table is fixed (the
  ledger's recalculation then posts what is due).
- Plans apply to the contract's agent and sub-correspondent (:attr:`Contract.payees`),
  one plan per payee and basis, picked by the payment date (:func:`plan_for`).
- Clawback: see :func:`_clawbacks`. Deferred months after the end month are reversed in
  full even when the contract ended after its window: a dead contract earns no deferral.
- Deferred lines of months after the end are emitted (as when the contract was paid) and
  reversed in the end month, so what the ledger posted at payment never has to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.commissions.resolution import (
    DEFAULT_BASE,
    Resolution,
    contract_base,
    fraction_of,
    month_add,
    percent_of,
    period_of,
    plan_for,
    resolve_row,
)
from portal.commissions.targets import target_lines
from portal.commissions.types import (
    COMPANY,
    CalcBase,
    ClawbackRule,
    Contract,
    Line,
    LineKind,
    Override,
    Plan,
    PlanBasis,
    TableRow,
)
from portal.core.money import format_brl, format_percent

__all__ = [
    "DEFAULT_BASE",
    "Resolution",
    "contract_lines",
    "lines_for",
    "resolve_row",
    "target_lines",
]

ZERO = Decimal("0.00")
_UPFRONT = (LineKind.FLAT, LineKind.BONUS, LineKind.FIXED)


@dataclass
class _Earned:
    """A line that may be reversed, with the repasse lines that mirror it."""

    line: Line
    mirrors: list[Line] = field(default_factory=list)


def contract_lines(
    contract: Contract,
    rows: Sequence[TableRow],
    plans: Sequence[Plan] = (),
    overrides: Sequence[Override] = (),
) -> list[Line]:
    """Every commission line of a paid contract: company, repasse, override and estorno.

    ``rows``: the table rows to resolve from (all of them, or the contract's bank/product
    group from :func:`~portal.commissions.resolution.index_rows`). ``plans``: any plans;
    those of the contract's payees valid on the payment date apply. ``overrides``: the
    supervisor/manager overrides resolved by the caller from the org hierarchy.
    """
    return lines_for(contract, resolve_row(contract, rows), plans, overrides)


def lines_for(
    contract: Contract,
    resolution: Resolution,
    plans: Sequence[Plan] = (),
    overrides: Sequence[Override] = (),
) -> list[Line]:
    """:func:`contract_lines` for an already resolved row (e.g. the ledger's frozen one)."""
    row = resolution.row
    base_kind, base = contract_base(contract, row)
    paid = period_of(contract.paid_on)
    if row is None:
        assert resolution.problem is not None
        company = [_problem_line(contract, resolution, paid, base)]
    else:
        company = [_Earned(line) for line in _company_lines(contract, row, base_kind, base)]
    people: list[_Earned] = []
    for payee in contract.payees:
        share = plan_for(plans, payee, PlanBasis.COMMISSION, contract.paid_on)
        if share is not None and row is not None:
            for earned in company:
                earned.mirrors.append(_mirror(earned.line, share))
        production = plan_for(plans, payee, PlanBasis.PRODUCTION, contract.paid_on)
        if production is not None:
            people.append(_Earned(_production(contract, production, base_kind, base, row)))
    people += [_Earned(_override(contract, o, base_kind, base, row)) for o in overrides]
    lines = [e.line for e in company]
    lines += [m for e in company for m in e.mirrors]
    lines += [e.line for e in people]
    if row is not None and contract.ended_on is not None:
        lines += _clawbacks(contract, row, company, people)
    return lines


# ---------------------------------------------------------------- earning lines


def _of(percent: Decimal, base: Decimal, base_kind: CalcBase) -> str:
    return f"{format_percent(percent)} de {format_brl(base)} ({base_kind.label})"


def _problem_line(contract: Contract, resolution: Resolution, paid: str, base: Decimal) -> _Earned:
    kind = resolution.problem or LineKind.NO_TABLE
    line = Line(contract.number, COMPANY, kind, paid, base, None, ZERO, resolution.reason)
    return _Earned(line)


def _company_lines(
    contract: Contract, row: TableRow, base_kind: CalcBase, base: Decimal
) -> list[Line]:
    paid = period_of(contract.paid_on)
    ref = row.ref
    out: list[Line] = []

    def add(kind: LineKind, period: str, percent: Decimal | None, amount: Decimal, text: str) -> None:
        out.append(Line(contract.number, COMPANY, kind, period, base, percent, amount, text, row=row))

    if row.flat:
        text = f"{_of(row.flat, base, base_kind)}, {ref}"
        add(LineKind.FLAT, paid, row.flat, percent_of(base, row.flat), text)
    if row.bonus:
        text = f"{_of(row.bonus, base, base_kind)}, bônus, {ref}"
        add(LineKind.BONUS, paid, row.bonus, percent_of(base, row.bonus), text)
    if row.fixed:
        text = f"valor fixo de {format_brl(row.fixed)} por contrato, {ref}"
        add(LineKind.FIXED, paid, None, row.fixed, text)
    if row.deferred and row.deferred_months:
        amount = percent_of(base, row.deferred)
        for n in range(1, row.deferred_months + 1):
            text = f"{_of(row.deferred, base, base_kind)}, diferido parcela {n}/{row.deferred_months}, {ref}"
            add(LineKind.DEFERRED, month_add(paid, n), row.deferred, amount, text)
    return out


def _plan_name(plan: Plan) -> str:
    return f"plano {plan.name} de {plan.payee}" if plan.name else f"plano de {plan.payee}"


def _what(line: Line) -> str:
    """How an explanation names a line: ``comissão à vista``, ``comissão diferida 2026-05``."""
    if line.kind is LineKind.DEFERRED:
        return f"comissão diferida {line.period}"
    if line.kind is LineKind.PAYOUT:
        if line.source_kind is None:
            return "repasse sobre produção"
        if line.source_kind is LineKind.DEFERRED:
            return f"repasse sobre comissão diferida {line.period}"
        return f"repasse sobre {line.source_kind.label.lower()}"
    if line.kind is LineKind.OVERRIDE:
        return "override"
    return line.kind.label.lower()


def _mirror(company: Line, plan: Plan) -> Line:
    amount = percent_of(company.amount, plan.percent)
    what = f"{format_brl(company.amount)} ({_what(company)})"
    text = f"{format_percent(plan.percent)} de {what}, {_plan_name(plan)}"
    return Line(
        company.contract, plan.payee, LineKind.PAYOUT, company.period, company.amount,
        plan.percent, amount, text, source_kind=company.kind, row=company.row,
    )  # fmt: skip


def _default_note(row: TableRow | None) -> str:
    return "" if row is not None else ", base padrão do produto (contrato sem tabela)"


def _percent_line(
    contract: Contract, payee: str, kind: LineKind, percent: Decimal, base: Decimal, text: str,
    row: TableRow | None,
) -> Line:
    """A person's percent of the contract's base, in the month it was paid."""
    return Line(
        contract.number, payee, kind, period_of(contract.paid_on), base,
        percent, percent_of(base, percent), text, row=row,
    )  # fmt: skip


def _production(
    contract: Contract, plan: Plan, base_kind: CalcBase, base: Decimal, row: TableRow | None
) -> Line:
    text = f"{_of(plan.percent, base, base_kind)}, produção{_default_note(row)}, {_plan_name(plan)}"
    return _percent_line(contract, plan.payee, LineKind.PAYOUT, plan.percent, base, text, row)


def _override(
    contract: Contract, override: Override, base_kind: CalcBase, base: Decimal, row: TableRow | None
) -> Line:
    text = f"{_of(override.percent, base, base_kind)}{_default_note(row)}, override de {override.level}"
    return _percent_line(contract, override.payee, LineKind.OVERRIDE, override.percent, base, text, row)


# -------------------------------------------------------------------- clawback


def _clawbacks(
    contract: Contract, row: TableRow, company: list[_Earned], people: list[_Earned]
) -> list[Line]:
    """The estorno lines of an ended contract, all in the end month.

    Inside the window (days from payment to end ≤ ``clawback_days``) flat, bonus and fixo
    are reversed by the fraction — 1 (``integral``) or (window − days) ÷ window
    (``pro_rata``) — and so are the repasse lines mirroring them, the production-based
    repasse and the overrides. Deferred lines of months after the end month, and their
    mirrors, are reversed in full whatever the window. Each reversal is the original
    line's value × the fraction, rounded half up, with the opposite sign.
    """
    assert contract.ended_on is not None
    days = (contract.ended_on - contract.paid_on).days
    if days < 0:
        raise ValueError(f"Contrato {contract.number}: encerramento anterior ao pagamento.")
    end = period_of(contract.ended_on)
    reason = contract.end_reason.label if contract.end_reason else "encerramento"
    window = row.clawback_days
    in_window = days <= window
    if row.clawback_rule is ClawbackRule.PRO_RATA and window > 0:
        fraction = (window - days, window)
        how = f"estorno pro rata {window - days}/{window}"
    else:
        fraction, how = (1, 1), "estorno integral"
    cause = f"{reason} após {days} dias, janela de {window} dias"
    dead = f"parcela posterior ao encerramento em {_br_month(contract.ended_on)} ({reason})"
    out: list[Line] = []
    for earned in company:
        if earned.line.kind in _UPFRONT and in_window:
            out += _reverse([earned.line, *earned.mirrors], end, fraction, how, cause)
        elif earned.line.kind is LineKind.DEFERRED and earned.line.period > end:
            out += _reverse([earned.line, *earned.mirrors], end, (1, 1), "estorno integral", dead)
    if in_window:
        out += _reverse([e.line for e in people], end, fraction, how, cause)
    return out


def _br_month(day: date) -> str:
    return day.strftime("%m/%Y")


def _reverse(
    lines: Iterable[Line], period: str, fraction: tuple[int, int], how: str, cause: str
) -> list[Line]:
    numerator, denominator = fraction
    out = []
    for line in lines:
        amount = fraction_of(line.amount, numerator, denominator)
        if not amount:
            continue  # a pro rata fraction of 0 (ended on the window's last day): nothing due
        text = f"{how} de {format_brl(line.amount)} ({_what(line)}): {cause}"
        out.append(
            Line(
                line.contract, line.payee, LineKind.CLAWBACK, period, line.amount, None,
                -amount, text, source_kind=line.kind, row=line.row,
            )  # fmt: skip
        )
    return out
