"""The pipeline's filtered list (page and export share one statement), always scoped."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.clients.models import Client
from portal.core.db import utcnow
from portal.core.ints import parse_int
from portal.core.pagination import Page, keyset_page
from portal.people.models import Collaborator, OrgUnit, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals.models import Proposal
from portal.proposals.sla import breached_condition
from portal.proposals.statuses import AFTER_SALE, Status

PER_PAGE = 50
LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
# Status groups the dashboards count by; "open" is every status in none of them. Paid
# includes what ended after payment (settled early, refinanced or ported away, ...).
CLOSED_BUCKETS: dict[str, frozenset[str]] = {
    "paid": frozenset({Status.PAID.value} | {s.value for s in AFTER_SALE}),
    "cancelled": frozenset({Status.CANCELLED.value}),
    "refused": frozenset({Status.REFUSED.value}),
}
OPEN_BUCKET = "open"
BUCKETS = (OPEN_BUCKET, *CLOSED_BUCKETS)


def bucket_of(status: str) -> str:
    for name, statuses in CLOSED_BUCKETS.items():
        if status in statuses:
            return name
    return OPEN_BUCKET


AGREEMENTS = ["INSS", "SIAPE", "GOV-SP", "GOV-AC", "PREF-SAO PAULO", "FORCAS ARMADAS", "CLT", "FGTS"]


@dataclass(frozen=True)
class ProposalFilters:
    """What the list, the board and the export filter by (all optional)."""

    bank: str = ""
    product: str = ""
    agreement: str = ""
    status: str = ""
    agent_id: int | None = None
    store_id: int | None = None
    team_id: int | None = None
    bucket: str = ""  # a group of statuses the dashboards count (BUCKETS)
    date_from: date | None = None
    date_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    sla_breached: bool = False
    needs_review: bool = False
    number: str = ""

    @property
    def active(self) -> dict[str, Any]:
        """Non-empty filters, for links and "filtered by" labels."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ)


def conditions(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE conditions: the user's scope first, then every filter given."""
    result: list[ColumnElement[bool]] = []
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        result.append(Proposal.agent_id.in_(visible))
    if filters.bank:
        result.append(Proposal.bank_code == filters.bank)
    if filters.product:
        result.append(Proposal.product == filters.product)
    if filters.agreement:
        result.append(Proposal.agreement == filters.agreement)
    if filters.status:
        result.append(Proposal.status == filters.status)
    if filters.agent_id:
        result.append(Proposal.agent_id == filters.agent_id)
    if filters.store_id:
        result.append(Proposal.store_id == filters.store_id)
    if filters.team_id:
        result.append(Proposal.team_id == filters.team_id)
    if filters.bucket == OPEN_BUCKET:
        result.append(Proposal.status.not_in(sorted(set().union(*CLOSED_BUCKETS.values()))))
    elif filters.bucket in CLOSED_BUCKETS:
        result.append(Proposal.status.in_(sorted(CLOSED_BUCKETS[filters.bucket])))
    if filters.date_from:
        result.append(Proposal.submitted_at >= _local_midnight(filters.date_from))
    if filters.date_to:
        result.append(Proposal.submitted_at < _local_midnight(filters.date_to + timedelta(days=1)))
    if filters.paid_from:
        result.append(Proposal.paid_at >= _local_midnight(filters.paid_from))
    if filters.paid_to:
        result.append(Proposal.paid_at < _local_midnight(filters.paid_to + timedelta(days=1)))
    if filters.sla_breached:
        # With a status chosen only that status's limit applies: one range instead of an OR
        # over every status, which the (bank_code, status, id) index serves as is.
        late = {s: h for s, h in limits.items() if s == filters.status} if filters.status else limits
        result.append(breached_condition(late, now or utcnow()))
    if filters.needs_review:
        result.append(Proposal.needs_review.is_(True))
    if filters.number:
        number = filters.number.strip()[:60]
        numeric = [Proposal.id == parse_int(number)] if parse_int(number, max_value=999_999_999) else []
        result.append(
            or_(Proposal.bank_proposal_number == number, Proposal.contract_number == number, *numeric)
        )
    return result


def with_names(stmt: Select) -> Select:
    """Load the names a list row shows in the same query (no N+1)."""
    return stmt.options(
        joinedload(Proposal.client).load_only(Client.id, Client.name),
        joinedload(Proposal.agent).load_only(Collaborator.id, Collaborator.name),
        joinedload(Proposal.store).load_only(OrgUnit.id, OrgUnit.name),
    )


def filtered_proposals(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    now: datetime | None = None,
) -> Select:
    """The scoped, filtered list as one statement (page and export)."""
    return with_names(select(Proposal).where(*conditions(session, user, filters, limits, now)))


# What a row of the list pages shows (operations and sales) and their SLA marks need, read
# as plain rows: no entity, identity map or lazy load per row (the export loads entities).
# portal.web.operations.pipeline_rows unpacks them in this order.
LIST_COLUMNS = (
    Proposal.id,
    Proposal.version,
    Proposal.bank_code,
    Proposal.product,
    Proposal.agreement,
    Proposal.gross_amount,
    Proposal.status,
    Proposal.bank_status,
    Proposal.needs_review,
    Proposal.status_changed_at,
    Proposal.submitted_at,
    # The names as one-row subqueries, not joins: PostgreSQL plans the statement in half
    # the time and runs it faster (no join order to weigh, no memoize per join) for the
    # same 51 primary-key lookups of each (0.64 → 0.38 ms at 3 million proposals).
    select(Client.name).where(Client.id == Proposal.client_id).scalar_subquery().label("client_name"),
    select(Collaborator.name)
    .where(Collaborator.id == Proposal.agent_id)
    .scalar_subquery()
    .label("agent_name"),
)


def proposals_page(
    session: Session,
    user: User,
    filters: ProposalFilters,
    limits: dict[str, int],
    cursor: str | None,
    per_page: int | None = None,
) -> Page[Row[Any]]:
    """Newest first, keyset on id: rows of LIST_COLUMNS (with the client's and agent's
    names), filtered and scoped exactly as `filtered_proposals`."""
    stmt = select(*LIST_COLUMNS).where(*conditions(session, user, filters, limits))
    return keyset_page(session, stmt, [Proposal.id], cursor, per_page or PER_PAGE, descending=True, rows=True)
