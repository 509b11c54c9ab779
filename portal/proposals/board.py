"""The operations board: one column per canonical status with count, amount, SLA
breaches and the most urgent cards. Three queries whatever the number of proposals:

- counts, amounts and "needs review" come from the rollup (`portal.proposals.rollup`),
  summed over the user's visible agents, never from the proposals table; filters the
  rollup has no dimension for (product, agreement, store, dates, SLA, review, number)
  fall back to one grouped query over the proposals they select;
- SLA breaches depend on the clock and on editable limits, so they cannot be a stored
  counter: breached = the rollup's count minus the proposals that entered the status
  within its limit, counted on the (status, status_changed_at) index. That range only
  holds the pipeline's recent flow, however large the backlog of late proposals grows;
- one UNION ALL of per-status LIMITs on (status, status_changed_at) for the cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from portal.core.db import money_sum, utcnow
from portal.people.models import User
from portal.people.scope import visible_collaborator_ids
from portal.proposals.listing import ProposalFilters, conditions, with_names
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalStatusRollup as Rollup
from portal.proposals.rollup import WINDOW_DAYS, WINDOWED, window_start
from portal.proposals.sla import breached_condition
from portal.proposals.statuses import BOARD_COLUMNS, Status

CARDS_PER_COLUMN = 8
# Finished columns show the latest moves first; open ones the longest waiting first.
NEWEST_FIRST = {Status(s) for s in WINDOWED}
# Finished columns count what finished recently (the pipeline's output), not all history:
# that is what operations follows. Whole UTC days, as the rollup buckets them.
CLOSED_WINDOW_DAYS = WINDOW_DAYS
# Filters the rollup answers (it has status, agent and bank); any other means the fallback.
ROLLUP_FILTERS = {"status", "agent_id", "bank"}


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

    @property
    def collapsed(self) -> bool:
        """Shown folded by default: nothing in it, or a finished column (paid, refused,
        cancelled) that operations does not work on; one click unfolds it."""
        return self.count == 0 or self.status in NEWEST_FIRST


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
    closed = sorted(WINDOWED)
    return or_(Proposal.status.not_in(closed), Proposal.status_changed_at >= window_start(now))


def uses_rollup(filters: ProposalFilters) -> bool:
    return set(filters.active) <= ROLLUP_FILTERS


def rollup_statement(session: Session, user: User, filters: ProposalFilters, now: datetime) -> Select:
    """status → (count, gross amount, needs review) summed from the rollup rows the user may
    see: the open statuses' single bucket, the finished ones' days inside the window."""
    # Open statuses sit on OPEN_DAY (9999-12-31), after every finished day: one PK range.
    stmt = select(
        Rollup.status,
        func.sum(Rollup.proposals).cast(Integer),
        money_sum(Rollup.gross_amount),
        func.sum(Rollup.needs_review).cast(Integer),
    ).where(Rollup.day >= window_start(now).date())
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(Rollup.agent_id.in_(visible))
    if filters.status:
        stmt = stmt.where(Rollup.status == filters.status)
    if filters.agent_id:
        stmt = stmt.where(Rollup.agent_id == filters.agent_id)
    if filters.bank:
        stmt = stmt.where(Rollup.bank_code == filters.bank)
    return stmt.group_by(Rollup.status).having(func.sum(Rollup.proposals) > 0)


def within_limit_statement(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime,
    counted: dict[str, int],
) -> Select | None:
    """Per status with a limit, the proposals that entered it less than `limit` hours ago
    (not breached yet): one index range each on (status, status_changed_at)."""
    where = conditions(session, user, filters, limits, now)
    parts = [
        select(literal(status).label("status"), func.count().label("n")).where(
            *where, Proposal.status == status, Proposal.status_changed_at >= now - timedelta(hours=hours)
        )
        for status, hours in sorted(limits.items())
        if hours and status in counted and status not in WINDOWED
    ]
    return union_all(*parts) if parts else None  # type: ignore[return-value]


def figures(
    session: Session, user: User, filters: ProposalFilters, limits: dict[str, int], now: datetime
) -> dict[str, tuple[int, Decimal, int, int]]:
    """status → (count, gross amount, SLA breached, needs review): from the rollup plus one
    indexed count of the proposals still within their limit; filters the rollup cannot
    answer use ONE grouped query over the proposals."""
    if not uses_rollup(filters):
        stmt = figures_statement(session, user, filters, limits, now)
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in session.execute(stmt)}
    rollup_rows = session.execute(rollup_statement(session, user, filters, now))
    summed = {row[0]: (row[1], row[2], row[3]) for row in rollup_rows}
    counts = {status: values[0] for status, values in summed.items()}
    within = within_limit_statement(session, user, filters, limits, now, counts)
    fresh = dict(session.execute(within).tuples().all()) if within is not None else {}
    breached = {status: counts[status] - fresh[status] for status in fresh}
    return {
        status: (count, amount, breached.get(status, 0), review)
        for status, (count, amount, review) in summed.items()
    }


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
