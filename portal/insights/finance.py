"""Gains and losses from the ledger rollup: company commission (what the banks owe:
upfront, deferred, bonuses, fixed), clawbacks, internal cost (what the company pays its
people: repasses, overrides, their clawbacks) and the net margin, per bank, product and
store; the deferred commission the ledger has scheduled for the next 24 months, and the
deferred still to come per bank (the exposure to each bank)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.reconciliation.models import ReceivedPayment
from portal.commissions.types import COMPANY, LineKind
from portal.core.db import money_sum
from portal.insights.filters import Cell, Chart, Filters, Link, Scope, Table, add_months, dimension_conditions
from portal.insights.ledger_rollup import COMPANY_SIDE
from portal.insights.models import LedgerMonth, LedgerMonthBank

ZERO = Decimal("0.00")
CLAWBACK = LineKind.CLAWBACK.value
DEFERRED = LineKind.DEFERRED.value
FORECAST_MONTHS = 24


@dataclass
class Gains:
    commission: Decimal = ZERO
    clawbacks: Decimal = ZERO
    internal: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.commission + self.clawbacks - self.internal

    def add(self, side: str, kind: str, amount: Decimal) -> None:
        if side != COMPANY_SIDE:
            self.internal += amount
        elif kind == CLAWBACK:
            self.clawbacks += amount
        else:
            self.commission += amount


GAIN_DIMENSIONS = ("bank_code", "product", "store_id")


def _model(filters: Filters, scope: Scope, dimension: str | None) -> Any:
    """The ledger rollup to read: its bank-grain form company-wide, when neither the
    table nor a filter goes below the bank (a few rows a month), else the full one."""
    if dimension in (None, "bank_code") and scope.units is None and not filters.dimension_filtered:
        return LedgerMonthBank
    return LedgerMonth


def _where(model: Any, filters: Filters, scope: Scope) -> list:
    if model is LedgerMonthBank:
        return [model.bank_code == filters.bank] if filters.bank else []
    return dimension_conditions(model, filters, scope)


def gains(
    session: Session, filters: Filters, scope: Scope, dimension: str | None, cache: dict | None = None
) -> dict[Any, Gains]:
    """dimension value (or "") → gains over the period's posting periods: one read of
    the ledger rollup grouped by that dimension, side and kind (a few rows per value,
    however many rollup rows the period holds). Kept in `cache` per dimension."""
    key = ("ledger", filters, scope.units is None, dimension)
    rows = cache.get(key) if cache is not None else None
    if rows is None:
        model = _model(filters, scope, dimension)
        where = _where(model, filters, scope) + [
            model.month >= filters.month_from,
            model.month <= filters.month_to,
        ]
        dims = ([getattr(model, dimension)] if dimension else []) + [model.side, model.kind]
        stmt = select(*dims, money_sum(model.amount)).where(*where).group_by(*dims)
        rows = [tuple(r) for r in session.execute(stmt)]
        if cache is not None:
            cache[key] = rows
    out: dict[Any, Gains] = {}
    for row in rows:
        out.setdefault(row[0] if dimension else "", Gains()).add(row[-3], row[-2], row[-1])
    return out


def received_by_bank(session: Session, filters: Filters) -> dict[str, Decimal]:
    """Money received from each bank for the period's months (reconciliation; a small table)."""
    stmt = select(ReceivedPayment.bank_code, money_sum(ReceivedPayment.amount)).where(
        ReceivedPayment.period >= filters.month_from, ReceivedPayment.period <= filters.month_to
    )
    if filters.bank:
        stmt = stmt.where(ReceivedPayment.bank_code == filters.bank)
    return dict(session.execute(stmt.group_by(ReceivedPayment.bank_code)).tuples().all())


def _ledger_params(filters: Filters, **extra: str) -> dict[str, str]:
    params = {"period": filters.single_month or "", "bank": filters.bank}
    params.update(extra)
    return {k: v for k, v in params.items() if v}


GAIN_HEADERS = ["Comissão esperada", "Estornos", "Custo interno", "Margem líquida"]


def gains_table(
    session: Session,
    filters: Filters,
    scope: Scope,
    dimension: str,
    title: str,
    labels: Callable[[Any], str],
    with_received: bool = False,
    cache: dict | None = None,
) -> Table:
    data = gains(session, filters, scope, dimension, cache)
    header = {"bank_code": "Banco", "product": "Produto", "store_id": "Loja"}[dimension]
    received = received_by_bank(session, filters) if with_received else {}
    headers = [header, *GAIN_HEADERS] + (["Recebido do banco"] if with_received else [])
    table = Table(f"ganhos-{dimension}", title, headers, chart=Chart("bar", (1, 2, 3, 4)))
    for key in sorted(set(data) | set(received), key=lambda k: (-(data.get(k) or Gains()).margin, str(k))):
        g = data.get(key) or Gains()
        # The ledger list filters by bank, kind and payee: the bank table links there.
        bank = key if dimension == "bank_code" else ""

        def link(bank: str = bank, **kw: str) -> Link | None:
            return Link.to("ledger", _ledger_params(filters, bank=bank, **kw)) if bank else None

        row = [
            Cell(labels(key)),
            Cell(g.commission, "money", link(payee=COMPANY)),
            Cell(g.clawbacks, "money", link(payee=COMPANY, kind=CLAWBACK)),
            Cell(g.internal, "money", link()),
            Cell(g.margin, "money"),
        ]
        if with_received:
            row.append(
                Cell(received.get(key, ZERO), "money", Link.to("received", _ledger_params(filters, bank=key)))
            )
        table.rows.append(row)
    if not with_received or dimension != "bank_code":
        table.note = "Valores do razão de comissões nos períodos de lançamento escolhidos."
    return table


def deferred_schedule(
    session: Session,
    filters: Filters,
    scope: Scope,
    first: str,
    last: str | None,
    by_bank: bool,
    cache: dict | None = None,
) -> dict[Any, Decimal]:
    """Company deferred commission posted for months first..last, per month or per bank
    (one read per (month, bank) of every month from `first` on, kept in `cache`)."""
    key = ("deferred", filters, scope.units is None, first)
    rows = cache.get(key) if cache is not None else None
    if rows is None:
        model = _model(filters, scope, "bank_code")
        where = _where(model, filters, scope) + [
            model.side == COMPANY_SIDE,
            model.kind == DEFERRED,
            model.month >= first,
        ]
        stmt = (
            select(model.month, model.bank_code, money_sum(model.amount))
            .where(*where)
            .group_by(model.month, model.bank_code)
        )
        rows = [tuple(r) for r in session.execute(stmt)]
        if cache is not None:
            cache[key] = rows
    out: dict[Any, Decimal] = {}
    for month, bank, amount in rows:
        if last is None or month <= last:
            k = bank if by_bank else month
            out[k] = out.get(k, ZERO) + amount
    return out


def forecast_table(
    session: Session, filters: Filters, scope: Scope, current_month: str, cache: dict | None = None
) -> Table:
    """The next 24 months of deferred commission the ledger has scheduled (filters other
    than the period apply)."""
    first, last = add_months(current_month, 1), add_months(current_month, FORECAST_MONTHS)
    data = deferred_schedule(session, filters, scope, first, last, by_bank=False, cache=cache)
    table = Table(
        "previsao-diferido",
        "Previsão de caixa: comissão diferida dos próximos 24 meses",
        ["Mês", "Diferido previsto"],
        chart=Chart("bar", (1,)),
        note=(
            "Parcelas diferidas lançadas no razão para cada mês; "
            "estornos futuros de contratos encerrados não são antecipados."
        ),
    )
    month = first
    while month <= last:
        params = {"period": month, "kind": DEFERRED, "payee": COMPANY, "bank": filters.bank}
        table.rows.append(
            [
                Cell(f"{month[5:7]}/{month[:4]}"),
                Cell(
                    data.get(month, ZERO), "money", Link.to("ledger", {k: v for k, v in params.items() if v})
                ),
            ]
        )
        month = add_months(month, 1)
    return table


def exposure_table(
    session: Session,
    filters: Filters,
    scope: Scope,
    current_month: str,
    labels: Callable[[Any], str],
    cache: dict | None = None,
) -> Table:
    """Deferred commission still to come from each bank (every month after the current)."""
    data = deferred_schedule(
        session, filters, scope, add_months(current_month, 1), None, by_bank=True, cache=cache
    )
    table = Table(
        "exposicao-banco",
        "Exposição por banco (diferido a receber)",
        ["Banco", "Diferido a receber"],
        chart=Chart("bar", (1,)),
    )
    for bank in sorted(data, key=lambda b: (-data[b], b)):
        params = {"bank": bank, "kind": DEFERRED, "payee": COMPANY}
        table.rows.append([Cell(labels(bank)), Cell(data[bank], "money", Link.to("ledger", params))])
    return table


def total_gains(session: Session, filters: Filters, scope: Scope, cache: dict | None = None) -> Gains:
    return gains(session, filters, scope, None, cache).get("", Gains())


def future_deferred_total(
    session: Session, filters: Filters, scope: Scope, current_month: str, cache: dict | None = None
) -> Decimal:
    first = add_months(current_month, 1)
    return sum(deferred_schedule(session, filters, scope, first, None, True, cache).values(), ZERO)
