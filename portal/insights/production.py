"""Production figures from the production rollups: per day, month, bank, product,
agreement, store and team; conversion and cancellation rates; store and agent rankings.

Each function is one grouped SELECT over rollup rows (never over proposals), grouped
by PostgreSQL at the grain the table shows: the day table reads the period's days, the
others its months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from portal.core.db import money_sum
from portal.insights.filters import (
    Cell,
    Chart,
    Filters,
    Link,
    Scope,
    Table,
    dimension_conditions,
    month_first,
    month_last,
)
from portal.insights.models import (
    AgentMonth,
    ProductionDay,
    ProductionDayBank,
    ProductionMonth,
    ProductionMonthBank,
)
from portal.proposals.listing import BUCKETS

ZERO = Decimal("0.00")
HEADERS = [
    "Propostas",
    "Valor bruto",
    "Valor líquido",
    "Pagas",
    "Bruto pago",
    "Conversão (pagas/digitadas)",
    "Cancelamento",
]


@dataclass
class Figures:
    """Per bucket: [proposals, gross, net]."""

    by_bucket: dict[str, list]

    @classmethod
    def empty(cls) -> Figures:
        return cls({b: [0, ZERO, ZERO] for b in BUCKETS})

    def add(self, bucket: str, n: int, gross: Decimal, net: Decimal) -> None:
        entry = self.by_bucket.setdefault(bucket, [0, ZERO, ZERO])
        entry[0] += n
        entry[1] += gross
        entry[2] += net

    def total(self, index: int) -> Any:
        return sum((v[index] for v in self.by_bucket.values()), 0 if index == 0 else ZERO)

    def bucket(self, name: str, index: int) -> Any:
        return self.by_bucket.get(name, [0, ZERO, ZERO])[index]


def rate(part: int, whole: int) -> Decimal:
    """part / whole as a percentage with two places (0 when nothing was submitted)."""
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


DIMENSIONS = ("bank_code", "product", "agreement", "store_id", "team_id")
DAILY_DAYS = 92  # the day table shows the period's last three months at most


def daily_from(filters: Filters) -> date:
    """First day of the day table: the period's first day, or DAILY_DAYS before its end."""
    return max(filters.first_day, filters.last_day - timedelta(days=DAILY_DAYS - 1))


def _sums(model: Any) -> tuple:
    return (
        model.bucket,
        func.sum(model.proposals).cast(Integer),
        money_sum(model.gross_amount),
        money_sum(model.net_amount),
    )


def grouped(
    session: Session, filters: Filters, scope: Scope, dimension: str | None, cache: dict | None = None
) -> dict[Any, Figures]:
    """dimension value (or "" for the total) → figures. PostgreSQL groups by the one
    dimension the table shows (and the bucket), so a page reads a few rows per value
    however many rollup rows the period holds: per day from the day rollup (at most
    DAILY_DAYS days), every other dimension from the month rollup; company-wide with no
    filter below the bank, the total, day, month and bank from their bank-grain forms. When `cache` already
    holds this read (another table of the same request), it is reused."""
    key = ("production", filters, scope.units is None, dimension)
    if cache is not None and key in cache:
        return cache[key]
    out: dict[Any, Figures] = {}
    by_day = dimension == "day"
    model: Any = ProductionDay if by_day else ProductionMonth
    if (
        dimension in (None, "day", "month", "bank_code")
        and scope.units is None
        and not filters.dimension_filtered
    ):
        # Company-wide, unfiltered or one bank: the bank-grain rollups have every figure.
        model = ProductionDayBank if by_day else ProductionMonthBank
        where = [model.bank_code == filters.bank] if filters.bank else []
    else:
        where = dimension_conditions(model, filters, scope)
    if by_day:
        where += [model.day >= daily_from(filters), model.day <= filters.last_day]
    else:
        where += [model.month >= filters.month_from, model.month <= filters.month_to]
    columns = [getattr(model, dimension)] if dimension else []
    stmt = select(*columns, *_sums(model)).where(*where).group_by(*columns, model.bucket)
    for result in session.execute(stmt):
        row = tuple(result)
        value = row[0] if dimension else ""
        if isinstance(value, str) and dimension == "day":
            value = date.fromisoformat(value)
        out.setdefault(value, Figures.empty()).add(row[-4], row[-3] or 0, row[-2], row[-1])
    if cache is not None:
        cache[("production", filters, scope.units is None, dimension)] = out
    return out


def figure_row(label: str, figures: Figures, params: dict[str, str]) -> list[Cell]:
    total = figures.total(0)
    paid = figures.bucket("paid", 0)
    cancelled = figures.bucket("cancelled", 0)
    return [
        Cell(label),
        Cell(total, "int", Link.to("proposals", params)),
        Cell(figures.total(1), "money", Link.to("proposals", params)),
        Cell(figures.total(2), "money", Link.to("proposals", params)),
        Cell(paid, "int", Link.to("proposals", {**params, "bucket": "paid"})),
        Cell(figures.bucket("paid", 1), "money", Link.to("proposals", {**params, "bucket": "paid"})),
        Cell(rate(paid, total), "percent"),
        Cell(rate(cancelled, total), "percent", Link.to("proposals", {**params, "bucket": "cancelled"})),
    ]


def _day_label(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _month_label(month: str) -> str:
    return f"{month[5:7]}/{month[:4]}"


def production_table(
    session: Session,
    filters: Filters,
    scope: Scope,
    dimension: str,
    title: str,
    labels: Callable[[Any], str] | None = None,
    cache: dict | None = None,
) -> Table:
    """One production table (and its chart) per dimension value."""
    data = grouped(session, filters, scope, dimension, cache)
    table = Table(f"producao-{dimension}", title, [_DIM_HEADERS[dimension], *HEADERS])
    if dimension in ("day", "month"):
        table.chart = Chart("line", (1, 4))
        keys = sorted(data)
        if dimension == "day" and daily_from(filters) > filters.first_day:
            table.note = f"Últimos {DAILY_DAYS} dias do período; o período inteiro está na tabela por mês."
    else:
        table.chart = Chart("bar", (2, 5))
        keys = sorted(data, key=lambda k: (-data[k].total(1), str(k)))
    for key in keys:
        table.rows.append(
            figure_row(_label(dimension, key, labels), data[key], _params(filters, dimension, key))
        )
    return table


_DIM_HEADERS = {
    "day": "Dia",
    "month": "Mês",
    "bank_code": "Banco",
    "product": "Produto",
    "agreement": "Convênio",
    "store_id": "Loja",
    "team_id": "Equipe",
}
_DIM_PARAMS = {
    "bank_code": "bank",
    "product": "product",
    "agreement": "agreement",
    "store_id": "store",
    "team_id": "team",
}


def _label(dimension: str, key: Any, labels: Callable[[Any], str] | None) -> str:
    if dimension == "day":
        return _day_label(key)
    if dimension == "month":
        return _month_label(key)
    if dimension in ("store_id", "team_id") and not key:
        return "Sem loja" if dimension == "store_id" else "Sem equipe"
    return labels(key) if labels else str(key)


def _params(filters: Filters, dimension: str, key: Any) -> dict[str, str]:
    if dimension == "day":
        return filters.proposal_params(**{"from": key.isoformat(), "to": key.isoformat()})
    if dimension == "month":
        return filters.proposal_params(
            **{"from": month_first(key).isoformat(), "to": month_last(key).isoformat()}
        )
    if dimension in ("store_id", "team_id") and not key:
        return filters.proposal_params()  # the list has no "no store" filter: the whole selection
    return filters.proposal_params(**{_DIM_PARAMS[dimension]: key})


def totals(session: Session, filters: Filters, scope: Scope, cache: dict | None = None) -> Figures:
    return grouped(session, filters, scope, None, cache).get("", Figures.empty())


def agent_ranking(
    session: Session, filters: Filters, scope: Scope, names: Callable[[int], str], limit: int = 20
) -> Table:
    """Agents by paid gross amount in the period (store and team filters apply)."""
    where = scope.condition(AgentMonth) + [
        AgentMonth.month >= filters.month_from,
        AgentMonth.month <= filters.month_to,
        AgentMonth.bucket == "paid",
    ]
    if filters.store_id:
        where.append(AgentMonth.store_id == filters.store_id)
    if filters.team_id:
        where.append(AgentMonth.team_id == filters.team_id)
    gross = money_sum(AgentMonth.gross_amount)
    stmt = (
        select(AgentMonth.agent_id, func.sum(AgentMonth.proposals).cast(Integer), gross)
        .where(*where)
        .group_by(AgentMonth.agent_id)
        .having(func.sum(AgentMonth.proposals) > 0)
        .order_by(gross.desc(), AgentMonth.agent_id)
        .limit(limit)
    )
    table = Table(
        "ranking-corretores",
        "Ranking de corretores (pagas no período)",
        ["Corretor", "Posição", "Pagas", "Bruto pago"],
    )
    table.chart = Chart("bar", (3,))
    base = {
        k: v
        for k, v in filters.proposal_params(bucket="paid").items()
        if k in ("from", "to", "store", "team", "bucket")
    }
    ranked = session.execute(stmt).all()
    if hasattr(names, "load"):
        names.load([agent_id for agent_id, _n, _amount in ranked])
    for position, (agent_id, n, amount) in enumerate(ranked, start=1):
        params = {**base, "agent": str(agent_id)}
        table.rows.append(
            [
                Cell(names(agent_id)),
                Cell(f"{position}º"),
                Cell(n, "int", Link.to("proposals", params)),
                Cell(amount, "money", Link.to("proposals", params)),
            ]
        )
    if filters.bank or filters.product or filters.agreement:
        table.note = (
            "O ranking de corretores considera período, loja e equipe; "
            "banco, produto e convênio não se aplicam."
        )
    return table


def agent_paid_gross(session: Session, month: str, agent_ids: list[int]) -> dict[int, Decimal]:
    """agent → paid gross amount of the proposals submitted in `month` (targets)."""
    if not agent_ids:
        return {}
    stmt = (
        select(AgentMonth.agent_id, money_sum(AgentMonth.gross_amount))
        .where(AgentMonth.month == month, AgentMonth.bucket == "paid", AgentMonth.agent_id.in_(agent_ids))
        .group_by(AgentMonth.agent_id)
    )
    return dict(session.execute(stmt).tuples().all())
