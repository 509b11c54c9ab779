"""The numbers each role's home page opens on (read side, always scoped).

- agent (sales home): own production and earnings in a month against the plan's target,
  open and overdue pendencies, certification problems, open disputes, last statements;
- operations: proposals needing review, SLA breaches per status, overdue pendencies per
  owner (operations or the agent who must act);
- finance: reconciliation per bank for a period, payouts due and late.

Every figure is computed by a fixed number of SELECTs whatever the number of rows (no
N+1), through `people.scope.visible_collaborator_ids` like the lists the figures link to,
so a figure and the list behind it always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from portal.commissions.models import CommissionPlan, LedgerEntry
from portal.commissions.reconciliation.summary import summarize
from portal.commissions.statements import payouts
from portal.commissions.statements.models import (
    DisputeState,
    Statement,
    StatementDispute,
    StatementState,
)
from portal.core.db import money_sum
from portal.core.formats import TIMEZONE
from portal.people.certifications import CertWarning, expiring_certifications_for
from portal.people.models import Collaborator, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals import board
from portal.proposals.listing import ProposalFilters
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import Pendency, PendencyOwner

ZERO = Decimal("0.00")
#: Certification problems listed on the home (the page says "50+" beyond).
CERT_LIMIT = 50


# ---------------------------------------------------------------- months


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def month_bounds(period: str) -> tuple[date, date]:
    """First day of the month and first day of the next one (`aaaa-mm`)."""
    first = date.fromisoformat(period + "-01")
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


def local_midnight(day: date) -> datetime:
    """Midnight of `day` in São Paulo (what "this month" means to the people using it)."""
    return datetime.combine(day, time.min, TIMEZONE)


def recent_months(today: date, count: int = 12) -> list[str]:
    """This month and the `count - 1` before it, newest first (the period filter's choices)."""
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result


def _scoped(stmt: Select, column, visible: Select | None) -> Select:
    return stmt if visible is None else stmt.where(column.in_(visible))


# ---------------------------------------------------------------- agent


@dataclass(frozen=True)
class AgentHome:
    period: str
    paid_from: date
    paid_to: date  # inclusive (the proposal list's filter)
    contracts: int
    production: Decimal
    earnings: Decimal
    target: Decimal | None
    open_pendencies: int
    overdue_pendencies: int
    certifications: list[CertWarning]
    open_disputes: int
    last_statements: list[Statement]

    @property
    def target_percent(self) -> Decimal | None:
        """Production as a share of the target (percent units, 1 decimal)."""
        if not self.target:
            return None
        return (self.production * 100 / self.target).quantize(Decimal("0.1"))


def _target(session: Session, user: User, on: date, production: Decimal) -> Decimal | None:
    """The next tier threshold of the user's own plan in force on `on` (the period's last
    day, as at period close); the highest once all are reached; None without tiers."""
    own = select(Collaborator.id).where(Collaborator.user_id == user.id)
    plan = session.scalar(
        select(CommissionPlan)
        .where(
            CommissionPlan.collaborator_id.in_(own),
            CommissionPlan.valid_from <= on,
            (CommissionPlan.valid_to.is_(None)) | (CommissionPlan.valid_to > on),
        )
        .order_by(CommissionPlan.valid_from.desc(), CommissionPlan.id.desc())
        .limit(1)
    )
    if plan is None or not plan.tiers:
        return None
    ahead = [t.threshold for t in plan.tiers if t.threshold > production]
    return min(ahead) if ahead else max(t.threshold for t in plan.tiers)


def agent_home(session: Session, user: User, period: str, today: date) -> AgentHome:
    """The sales home's numbers for `period` (aaaa-mm), in the user's scope (an agent: own)."""
    visible = visible_collaborator_ids(session, user, today)
    first, following = month_bounds(period)
    contracts, production = session.execute(
        _scoped(
            select(func.count(Proposal.id), money_sum(Proposal.gross_amount)).where(
                Proposal.paid_at >= local_midnight(first), Proposal.paid_at < local_midnight(following)
            ),
            Proposal.agent_id,
            visible,
        )
    ).one()
    earnings = session.scalar(
        _scoped(
            select(money_sum(LedgerEntry.amount)).where(LedgerEntry.posting_period == period),
            LedgerEntry.collaborator_id,
            visible,
        )
    )
    open_count, overdue = session.execute(
        _scoped(
            select(
                func.count(Pendency.id),
                func.count(Pendency.id).filter(Pendency.due_on < today),
            )
            .join(Proposal, Proposal.id == Pendency.proposal_id)
            .where(Pendency.resolved_at.is_(None), Pendency.owner_kind == PendencyOwner.AGENT.value),
            Proposal.agent_id,
            visible,
        )
    ).one()
    disputes = session.scalar(
        _scoped(
            select(func.count(StatementDispute.id))
            .join(Statement, Statement.id == StatementDispute.statement_id)
            .where(StatementDispute.state == DisputeState.OPEN.value),
            Statement.collaborator_id,
            visible,
        )
    )
    statements = list(
        session.scalars(
            _scoped(
                select(Statement).where(Statement.state != StatementState.DRAFT.value),
                Statement.collaborator_id,
                visible,
            )
            .order_by(Statement.period.desc(), Statement.id.desc())
            .limit(3)
        )
    )
    return AgentHome(
        period=period,
        paid_from=first,
        paid_to=date.fromordinal(following.toordinal() - 1),
        contracts=contracts,
        production=production,
        earnings=earnings or ZERO,
        target=_target(session, user, date.fromordinal(following.toordinal() - 1), production),
        open_pendencies=open_count,
        overdue_pendencies=overdue,
        certifications=expiring_certifications_for(session, user, today, limit=CERT_LIMIT),
        open_disputes=disputes or 0,
        last_statements=statements,
    )


# ---------------------------------------------------------------- operations


@dataclass(frozen=True)
class OwnerRow:
    """Overdue pendencies of one owner: operations, or the agent who must act."""

    owner_kind: str
    agent_id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class OperationsHome:
    bank: str
    needs_review: int
    breached: int
    breached_by_status: list[tuple[str, int]]
    overdue_by_owner: list[OwnerRow]

    @property
    def overdue_total(self) -> int:
        return sum(row.count for row in self.overdue_by_owner)


def overdue_pendencies_query(
    session: Session,
    user: User,
    today: date,
    *,
    bank: str = "",
    owner_kind: str = "",
    agent_id: int | None = None,
) -> Select:
    """Open pendencies past their due day in the user's scope, the oldest due first
    (the operations home's figure and the list it links to)."""
    stmt = (
        select(Pendency)
        .join(Proposal, Proposal.id == Pendency.proposal_id)
        .where(Pendency.resolved_at.is_(None), Pendency.due_on < today)
        .options(
            joinedload(Pendency.type),
            joinedload(Pendency.proposal)
            .joinedload(Proposal.agent)
            .load_only(Collaborator.id, Collaborator.name),
        )
    )
    stmt = _scoped(stmt, Proposal.agent_id, visible_collaborator_ids(session, user, today))
    if bank:
        stmt = stmt.where(Proposal.bank_code == bank)
    if owner_kind:
        stmt = stmt.where(Pendency.owner_kind == owner_kind)
    if agent_id is not None:
        stmt = stmt.where(Proposal.agent_id == agent_id)
    return stmt


def operations_home(
    session: Session, user: User, today: date, now: datetime, limits: dict[str, int], bank: str = ""
) -> OperationsHome:
    """The pipeline's attention figures, optionally for one bank."""
    visible = visible_collaborator_ids(session, user, today)

    def proposals(stmt: Select) -> Select:
        stmt = _scoped(stmt, Proposal.agent_id, visible)
        return stmt.where(Proposal.bank_code == bank) if bank else stmt

    needs_review = session.scalar(
        proposals(select(func.count(Proposal.id)).where(Proposal.needs_review.is_(True)))
    )
    # Breaches per status as the board counts them (rollup + SLA hour buckets): a few
    # hundred rows at any size, where a count over the proposals read the whole backlog.
    figures = board.figures(session, user, ProposalFilters(bank=bank), limits, now)
    by_status = sorted((status, values[2]) for status, values in figures.items() if values[2])
    owners = (
        select(Pendency.owner_kind, Proposal.agent_id, Collaborator.name, func.count(Pendency.id))
        .join(Proposal, Proposal.id == Pendency.proposal_id)
        .join(Collaborator, Collaborator.id == Proposal.agent_id)
        .where(Pendency.resolved_at.is_(None), Pendency.due_on < today)
        .group_by(Pendency.owner_kind, Proposal.agent_id, Collaborator.name)
    )
    owners = proposals(owners)
    operations_count = 0
    agents: list[OwnerRow] = []
    for kind, agent_id, name, count in session.execute(owners):
        if kind == PendencyOwner.OPERATIONS.value:
            operations_count += count
        else:
            agents.append(OwnerRow(kind, agent_id, name, count))
    rows = (
        [OwnerRow(PendencyOwner.OPERATIONS.value, None, "Operações", operations_count)]
        if operations_count
        else []
    )
    rows += sorted(agents, key=lambda r: (-r.count, r.name))
    return OperationsHome(
        bank=bank,
        needs_review=needs_review or 0,
        breached=sum(c for _, c in by_status),
        breached_by_status=by_status,
        overdue_by_owner=rows,
    )


# ---------------------------------------------------------------- finance


@dataclass
class BankRecon:
    """One bank's reconciliation in the period (expected × reported × received)."""

    bank: str
    expected: Decimal = ZERO
    reported: Decimal = ZERO
    received: Decimal = ZERO
    open_items: int = 0
    open_difference: Decimal = ZERO
    missing: int = 0  # open items: expected lines the bank has not reported past its deadline

    @property
    def status(self) -> str:
        """pt-BR status of the bank's reconciliation."""
        if self.open_items:
            return "Com divergências"
        if self.expected and not self.reported:
            return "Aguardando o banco"
        return "Conferido"


@dataclass(frozen=True)
class FinanceHome:
    period: str
    bank: str
    banks: list[BankRecon]
    payouts_due: Decimal
    payouts_late: Decimal
    late_count: int
    paid: Decimal
    totals: BankRecon = field(default_factory=lambda: BankRecon("Total"))


def finance_home(session: Session, period: str, today: date, bank: str = "") -> FinanceHome:
    """Reconciliation per bank for `period` and payouts of the period's statements."""
    # The summary, not every item: the same figures, untouched items counted in SQL.
    result = summarize(session, as_of=today, bank=bank, period=period)
    per_bank: dict[str, BankRecon] = defaultdict(lambda: BankRecon(""))
    totals = BankRecon("Total")
    for row in result.rollup:
        target = per_bank[row.bank]
        target.bank = row.bank
        for item in (target, totals):
            item.expected += row.expected
            item.reported += row.reported
            item.received += row.received
            item.open_items += row.open_items
            item.open_difference += row.open_difference
    for code, count in result.missing.items():
        per_bank[code].bank = code
        per_bank[code].missing += count
        totals.missing += count
    money = payouts.monitoring(session, today, period=period).totals
    return FinanceHome(
        period=period,
        bank=bank,
        banks=sorted(per_bank.values(), key=lambda b: b.bank),
        payouts_due=money.payable,
        payouts_late=money.late,
        late_count=money.late_count,
        paid=money.paid,
        totals=totals,
    )
