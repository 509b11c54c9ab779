"""The operations board: one column per canonical status with count, amount, SLA
breaches, and its cards loaded per column on demand. The figures read a few hundred
rows whatever the number of proposals:

- counts, amounts and "needs review" come from a rollup, never from the proposals table:
  for a user who sees everything, `proposal_status_bank_rollup` (status × bank × day: a
  few rows per day); for a scoped user, `proposal_status_rollup` summed over their visible
  agents. Filters no rollup has a dimension for (product, agreement, store, dates, SLA,
  review, number) fall back to one grouped query over the proposals they select;
- SLA breaches depend on the clock and on editable limits, so they cannot be a stored
  counter: breached = count − proposals that entered the status within its limit L.
  Unscoped, "within" is the sum of the hour buckets (`proposal_status_hours`) that start
  after now − L plus one count over the (status, status_changed_at) index for the partial
  hour at now − L (from its shorter side); scoped, one index range count per status;
- cards: `column_cards`, a keyset page on (status_changed_at, id) of one column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from portal.core.db import UTCDateTime, money_sum, utcnow
from portal.core.pagination import Page, decode_cursor, encode_cursor
from portal.people.models import User
from portal.people.scope import visible_collaborator_ids
from portal.proposals.listing import ProposalFilters, conditions, with_names
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalStatusBankRollup as BankRollup
from portal.proposals.pipeline_models import ProposalStatusHour as Hour
from portal.proposals.pipeline_models import ProposalStatusRollup as Rollup
from portal.proposals.rollup import ALL_BANKS, WINDOW_DAYS, WINDOWED, hour_of, window_start
from portal.proposals.sla import breached_condition
from portal.proposals.statuses import BOARD_COLUMNS, Status

FIRST_CARDS = 5  # cards a column shows when it loads
MORE_CARDS = 20  # cards each "Carregar mais" adds
# Finished columns show the latest moves first; open ones the longest waiting first.
NEWEST_FIRST = {Status(s) for s in WINDOWED}
# Finished columns count what finished recently (the pipeline's output), not all history:
# that is what operations follows. Whole UTC days, as the rollup buckets them.
CLOSED_WINDOW_DAYS = WINDOW_DAYS
# Filters the rollup answers (it has status, agent and bank); any other means the fallback.
ROLLUP_FILTERS = {"status", "agent_id", "bank"}

Figures = dict[str, tuple[int, Decimal, int, int]]


@dataclass
class Column:
    status: Status
    count: int = 0
    amount: Decimal = Decimal("0.00")
    breached: int = 0
    needs_review: int = 0

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
    """The grouped query behind the board's figures when no rollup answers the filters."""
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


def sees_everything(session: Session, user: User, filters: ProposalFilters) -> bool:
    """Whether the agent-free rollup answers: the user sees every agent and no agent is
    chosen."""
    return not filters.agent_id and visible_collaborator_ids(session, user) is None


def rollup_statement(session: Session, user: User, filters: ProposalFilters, now: datetime) -> Select:
    """status → (count, gross amount, needs review) summed from the agent-keyed rollup rows
    the user may see: the open statuses' single bucket, the finished ones' days inside the
    window (for scoped users or an agent filter)."""
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


def bank_rollup_statement(filters: ProposalFilters, now: datetime) -> Select:
    """The same figures from the agent-free rollup (status × bank × day), for users who see
    everything: a few rows per day of the window plus one per open status and bank."""
    stmt = select(
        BankRollup.status,
        func.sum(BankRollup.proposals).cast(Integer),
        money_sum(BankRollup.gross_amount),
        func.sum(BankRollup.needs_review).cast(Integer),
    ).where(BankRollup.day >= window_start(now).date())
    if filters.status:
        stmt = stmt.where(BankRollup.status == filters.status)
    if filters.bank:
        stmt = stmt.where(BankRollup.bank_code == filters.bank)
    return stmt.group_by(BankRollup.status).having(func.sum(BankRollup.proposals) > 0)


def _limited(limits: dict[str, int], counted: dict[str, int]) -> list[tuple[str, int]]:
    return [
        (status, hours)
        for status, hours in sorted(limits.items())
        if hours and status in counted and status not in WINDOWED
    ]


def within_limit_statement(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime,
    counted: dict[str, int],
) -> Select | None:
    """Per status with a limit, the proposals that entered it less than `limit` hours ago
    (not breached yet): one index range each on (status, status_changed_at). Used for
    scoped users, whose agents the hour buckets do not know."""
    where = conditions(session, user, filters, limits, now)
    parts = [
        select(literal(status).label("status"), func.count().label("n")).where(
            *where, Proposal.status == status, Proposal.status_changed_at >= now - timedelta(hours=hours)
        )
        for status, hours in _limited(limits, counted)
    ]
    return union_all(*parts) if parts else None  # type: ignore[return-value]


@lru_cache(maxsize=32)
def _within_buckets_shape(statuses: tuple[str, ...], by_bank: bool) -> Select:
    """The statement of `within_limit_buckets` for these statuses, with its moments and
    signs as parameters: built once per shape (limits rarely change), not per request."""
    # The chosen bank's buckets, or the all-banks ones: one row per hour either way.
    buckets_from = [
        and_(
            Hour.status == status,
            Hour.bank_code == bindparam("buckets_bank"),
            Hour.hour >= bindparam(f"buckets_from_{i}", type_=UTCDateTime()),
        )
        for i, status in enumerate(statuses)
    ]
    buckets = select(Hour.status, func.sum(Hour.proposals).label("n")).where(or_(*buckets_from))
    parts: list[Select] = [buckets.group_by(Hour.status)]
    for i, status in enumerate(statuses):
        # One index range per status: index-only, where an OR of them would visit the heap.
        edge = select(
            literal(status).label("status"),
            (func.count() * bindparam(f"sign_{i}", type_=Integer())).label("n"),
        ).where(
            Proposal.status == status,
            Proposal.status_changed_at >= bindparam(f"edge_from_{i}", type_=UTCDateTime()),
            Proposal.status_changed_at < bindparam(f"edge_to_{i}", type_=UTCDateTime()),
        )
        if by_bank:
            edge = edge.where(Proposal.bank_code == bindparam("bank"))
        parts.append(edge)
    return union_all(*parts)  # type: ignore[return-value]


def within_limit_buckets(
    filters: ProposalFilters, limits: dict[str, int], now: datetime, counted: dict[str, int]
) -> tuple[Select, dict[str, object]] | None:
    """The same counts for users who see everything. Per status with limit L, boundary
    B = now − L and H = the start of B's hour: the hour buckets that start after B (whole
    hours, each entirely within the limit), summed, and one index count for the partial
    hour, from its shorter side: + the proposals in [B, H + 1 h) when B is in the second
    half of its hour, else the bucket of H added and − the proposals in [H, B) (so the
    count never reads more than half an hour of the flow; none when B is on the hour).
    Returns the statement and its parameters (`stmt.params(values)` binds them)."""
    limited = _limited(limits, counted)
    if not limited:
        return None
    values: dict[str, object] = {"buckets_bank": filters.bank or ALL_BANKS}
    if filters.bank:
        values["bank"] = filters.bank
    for i, (_status, hours) in enumerate(limited):
        boundary = now.astimezone(UTC) - timedelta(hours=hours)
        start = hour_of(boundary)
        if boundary - start < timedelta(minutes=30):
            values |= {f"buckets_from_{i}": start, f"edge_from_{i}": start, f"edge_to_{i}": boundary}
            values[f"sign_{i}"] = -1
        else:
            following = start + timedelta(hours=1)
            values |= {f"buckets_from_{i}": following, f"edge_from_{i}": boundary, f"edge_to_{i}": following}
            values[f"sign_{i}"] = 1
    return _within_buckets_shape(tuple(status for status, _ in limited), bool(filters.bank)), values


def figures(
    session: Session, user: User, filters: ProposalFilters, limits: dict[str, int], now: datetime
) -> Figures:
    """status → (count, gross amount, SLA breached, needs review): from a rollup plus one
    statement counting the proposals still within their limit; filters no rollup can
    answer use ONE grouped query over the proposals."""
    if not uses_rollup(filters):
        stmt = figures_statement(session, user, filters, limits, now)
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in session.execute(stmt)}
    unscoped = sees_everything(session, user, filters)
    read = bank_rollup_statement(filters, now) if unscoped else rollup_statement(session, user, filters, now)
    summed = {row[0]: (row[1], row[2], row[3]) for row in session.execute(read)}
    counts = {status: values[0] for status, values in summed.items()}
    if unscoped:
        within = within_limit_buckets(filters, limits, now, counts)
    else:
        scoped = within_limit_statement(session, user, filters, limits, now, counts)
        within = (scoped, {}) if scoped is not None else None
    fresh: dict[str, int] = {}
    for status, n in session.execute(*within).tuples() if within is not None else ():
        fresh[status] = fresh.get(status, 0) + int(n or 0)
    breached = {status: counts[status] - fresh[status] for status in fresh}
    return {
        status: (count, amount, breached.get(status, 0), review)
        for status, (count, amount, review) in summed.items()
    }


def _cursor(values: list | None) -> tuple[datetime, int] | None:
    """A card cursor [ISO moment, id], or None when it is garbled (restart at the top)."""
    if not values or len(values) != 2 or not isinstance(values[0], str) or type(values[1]) is not int:
        return None
    try:
        moment = datetime.fromisoformat(values[0])
    except ValueError:
        return None
    return (moment, values[1]) if moment.tzinfo is not None else None


def column_cards(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    status: Status,
    cursor: str | None = None,
    per_page: int = FIRST_CARDS,
    now: datetime | None = None,
) -> Page[Proposal]:
    """One page of a column's cards with their names, keyset on (status_changed_at, id):
    open columns the longest waiting first, finished ones (last 30 days) the latest first."""
    now = now or utcnow()
    if filters.status and filters.status != status.value:
        return Page([], None)
    newest = status in NEWEST_FIRST
    stmt = with_names(
        select(Proposal).where(
            *conditions(session, user, filters, limits, now),
            Proposal.status == status.value,
            _recent_if_closed(now),
        )
    )
    after = _cursor(decode_cursor(cursor))
    if after is not None:
        moment, last_id = after
        if newest:
            stmt = stmt.where(
                or_(
                    Proposal.status_changed_at < moment,
                    (Proposal.status_changed_at == moment) & (Proposal.id < last_id),
                )
            )
        else:
            stmt = stmt.where(
                or_(
                    Proposal.status_changed_at > moment,
                    (Proposal.status_changed_at == moment) & (Proposal.id > last_id),
                )
            )
    order = (
        (Proposal.status_changed_at.desc(), Proposal.id.desc())
        if newest
        else (Proposal.status_changed_at, Proposal.id)
    )
    rows = list(session.scalars(stmt.order_by(*order).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    last = rows[-1] if rows else None
    following = encode_cursor([last.status_changed_at.isoformat(), last.id]) if more and last else None
    return Page(rows, following)


def build_board(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime | None = None,
) -> Board:
    """The columns with their figures (cards come per column, `column_cards`)."""
    now = now or utcnow()
    numbers = figures(session, user, filters, limits, now)
    shown = [s for s in BOARD_COLUMNS if not filters.status or s.value == filters.status]
    columns = []
    for status in shown:
        count, amount, breached, review = numbers.get(status.value, (0, Decimal("0.00"), 0, 0))
        columns.append(Column(status, count, amount, breached, review))
    return Board(columns)
