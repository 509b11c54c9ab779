"""What a dashboard shows: the filters, and the table values the pages, charts and
exports share (a cell knows its value, its kind and the list behind it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_
from sqlalchemy.orm import Session

from portal.people.models import User
from portal.people.scope import visible_unit_ids


def month_first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_last(month: str) -> date:
    first = month_first(month)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def add_months(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    out: list[str] = []
    month = first
    while month <= last and len(out) < 240:
        out.append(month)
        month = add_months(month, 1)
    return out


@dataclass(frozen=True)
class Filters:
    """Period (submission months for production, posting periods for the ledger) and
    dimensions; all dimensions optional."""

    month_from: str
    month_to: str
    bank: str = ""
    product: str = ""
    agreement: str = ""
    store_id: int | None = None
    team_id: int | None = None

    @property
    def first_day(self) -> date:
        return month_first(self.month_from)

    @property
    def last_day(self) -> date:
        return month_last(self.month_to)

    @property
    def single_month(self) -> str | None:
        return self.month_from if self.month_from == self.month_to else None

    @property
    def dimension_filtered(self) -> bool:
        """A filter below the bank (what bank-level figures cannot split by)."""
        return bool(self.product or self.agreement or self.store_id or self.team_id)

    def proposal_params(self, **extra: Any) -> dict[str, str]:
        """Query parameters of the proposals list showing what a figure counts."""
        params = {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "bank": self.bank,
            "product": self.product,
            "agreement": self.agreement,
            "store": str(self.store_id or ""),
            "team": str(self.team_id or ""),
        }
        params.update({k: str(v) for k, v in extra.items()})
        return {k: v for k, v in params.items() if v}

    def query_params(self) -> dict[str, str]:
        """The dashboard's own query string (exports, HTMX)."""
        params = {
            "de": self.month_from,
            "ate": self.month_to,
            "bank": self.bank,
            "product": self.product,
            "agreement": self.agreement,
            "store": str(self.store_id or ""),
            "team": str(self.team_id or ""),
        }
        return {k: v for k, v in params.items() if v}


@dataclass(frozen=True)
class Link:
    """The list behind a figure: "proposals" (the pipeline list) or "ledger"."""

    target: str
    params: tuple[tuple[str, str], ...]

    @classmethod
    def to(cls, target: str, params: dict[str, str]) -> Link:
        return cls(target, tuple(sorted(params.items())))


@dataclass(frozen=True)
class Cell:
    value: Any  # str, int or Decimal (money / percent)
    kind: str = "text"  # text | int | money | percent
    link: Link | None = None


@dataclass(frozen=True)
class Chart:
    type: str  # bar | line
    series: tuple[int, ...]  # column indexes drawn; column 0 labels the points


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True)
class Scope:
    """Who the figures are for: None = everyone, else a SELECT of visible unit ids."""

    units: Select | None

    @classmethod
    def of(cls, session: Session, user: User, on: date | None = None) -> Scope:
        return cls(visible_unit_ids(session, user, on))

    def condition(self, model: Any) -> list[ColumnElement[bool]]:
        if self.units is None:
            return []
        return [or_(model.team_id.in_(self.units), model.store_id.in_(self.units))]


def dimension_conditions(model: Any, filters: Filters, scope: Scope) -> list[ColumnElement[bool]]:
    """WHERE conditions of a rollup with bank/product/agreement/store/team columns."""
    out = scope.condition(model)
    if filters.bank:
        out.append(model.bank_code == filters.bank)
    if filters.product:
        out.append(model.product == filters.product)
    if filters.agreement:
        out.append(model.agreement == filters.agreement)
    if filters.store_id:
        out.append(model.store_id == filters.store_id)
    if filters.team_id:
        out.append(model.team_id == filters.team_id)
    return out
