"""The operations board: one column per canonical status with count, amount, SLA
breaches and the most urgent cards. Two queries whatever the number of proposals:
one grouped query for the figures, one UNION ALL of per-status LIMITs for the cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Integer, Select, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from portal.core.db import money_sum, utcnow
from portal.people.models import User
from portal.proposals.listing import ProposalFilters, conditions, with_names
from portal.proposals.models import Proposal
from portal.proposals.sla import breached_condition
from portal.proposals.statuses import BOARD_COLUMNS, Status

CARDS_PER_COLUMN = 8
# Finished columns show the latest moves first; open ones the longest waiting first.
NEWEST_FIRST = {Status.PAID, Status.REFUSED, Status.CANCELLED}
# Finished columns count what finished recently (the pipeline's output), not all history:
# that is what operations follows, and it keeps the board's query on index ranges.
CLOSED_WINDOW_DAYS = 30


@dataclass
class Column:
    status: Status
    count: int = 0
    amount: Decimal = Decimal("0.00")
    breached: int = 0
    needs_review: int = 0
    cards: list[Proposal] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def windowed(self) -> bool:
        return self.status in NEWEST_FIRST


@dataclass
class Board:
    columns: list[Column]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def breached(self) -> int:
        return sum(c.breached for c in self.columns)

    @property
    def needs_review(self) -> int:
        return sum(c.needs_review for c in self.columns)


def figures_statement(
    session: Session, user: User, filters: ProposalFilters, limits: dict[str, int], now: datetime
) -> Select:
    """The grouped query behind the board's figures (also EXPLAINed by the benchmark)."""
    breached = breached_condition(limits, now)
    return (
        select(
            Proposal.status,
            func.count(),
            money_sum(Proposal.gross_amount),
            func.coalesce(func.sum(case((breached, 1), else_=0)), 0).cast(Integer),
            func.coalesce(func.sum(case((Proposal.needs_review.is_(True), 1), else_=0)), 0).cast(Integer),
        )
        .where(*conditions(session, user, filters, limits, now), _recent_if_closed(now))
        .group_by(Proposal.status)
    )


def _recent_if_closed(now: datetime) -> ColumnElement[bool]:
    closed = [s.value for s in NEWEST_FIRST]
    since = now - timedelta(days=CLOSED_WINDOW_DAYS)
    return or_(Proposal.status.not_in(closed), Proposal.status_changed_at >= since)


def figures(
    session: Session, user: User, filters: ProposalFilters, limits: dict[str, int], now: datetime
) -> dict[str, tuple[int, Decimal, int, int]]:
    """status → (count, gross amount, SLA breached, needs review), in ONE grouped query."""
    stmt = figures_statement(session, user, filters, limits, now)
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in session.execute(stmt)}


def cards(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime,
    statuses: list[Status],
    per_column: int = CARDS_PER_COLUMN,
) -> dict[str, list[Proposal]]:
    """The first `per_column` cards of each status, loaded with their names in one query."""
    where = conditions(session, user, filters, limits, now)
    parts = []
    for status in statuses:
        order = Proposal.status_changed_at.desc() if status in NEWEST_FIRST else Proposal.status_changed_at
        inner = (
            select(Proposal.id.label("id"))
            .where(*where, Proposal.status == status.value, _recent_if_closed(now))
            .order_by(order, Proposal.id)
            .limit(per_column)
            .subquery()
        )
        parts.append(select(inner.c.id))
    if not parts:
        return {}
    ids = union_all(*parts).subquery()
    rows = session.scalars(
        with_names(select(Proposal).where(Proposal.id.in_(select(ids.c.id)))).order_by(
            Proposal.status_changed_at, Proposal.id
        )
    ).unique()
    grouped: dict[str, list[Proposal]] = {}
    for proposal in rows:
        grouped.setdefault(proposal.status, []).append(proposal)
    for status in NEWEST_FIRST:
        grouped.get(status.value, []).reverse()
    return grouped


def build_board(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime | None = None,
    per_column: int = CARDS_PER_COLUMN,
) -> Board:
    now = now or utcnow()
    numbers = figures(session, user, filters, limits, now)
    shown = [s for s in BOARD_COLUMNS if not filters.status or s.value == filters.status]
    loaded = cards(session, user, filters, limits, now, [s for s in shown if s.value in numbers], per_column)
    columns = []
    for status in shown:
        count, amount, breached, review = numbers.get(status.value, (0, Decimal("0.00"), 0, 0))
        columns.append(Column(status, count, amount, breached, review, loaded.get(status.value, [])))
    return Board(columns)
