"""Commission reads for the pages, always through the one scoping rule.

Agents see their own lines, supervisors their team's, finance everything
(`people.scope.visible_collaborator_ids`); the company's lines (no collaborator) only
unscoped users see. Each query is one SELECT (payee names joined in), paged by keyset.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, with_expression

from portal.commissions.models import LedgerEntry, ProposalCommissionRef
from portal.core.db import money_sum
from portal.core.pagination import Page, keyset_page
from portal.people.models import Collaborator, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals.models import Proposal
from portal.proposals.queries import get_proposal_for, proposals_for


@dataclass(frozen=True)
class LedgerFilter:
    """The ledger page's filters (empty = any)."""

    period: str = ""  # posting period aaaa-mm
    payee: str = ""  # payee key (e-mail or "empresa")
    collaborator_id: int | None = None
    bank: str = ""
    kind: str = ""
    contract: str = ""
    proposal_id: int | None = None


def ledger_query(session: Session, user: User, filters: LedgerFilter = LedgerFilter()) -> Select:
    """Ledger entries the user may see, filtered, with `payee_name` filled."""
    stmt = (
        select(LedgerEntry)
        .outerjoin(Collaborator, Collaborator.id == LedgerEntry.collaborator_id)
        .options(with_expression(LedgerEntry.payee_name, Collaborator.name))
    )
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(LedgerEntry.collaborator_id.in_(visible))
    if filters.period:
        stmt = stmt.where(LedgerEntry.posting_period == filters.period)
    if filters.payee:
        stmt = stmt.where(LedgerEntry.payee == filters.payee.strip().lower())
    if filters.collaborator_id is not None:
        stmt = stmt.where(LedgerEntry.collaborator_id == filters.collaborator_id)
    if filters.bank:
        stmt = stmt.where(LedgerEntry.bank_code == filters.bank)
    if filters.kind:
        stmt = stmt.where(LedgerEntry.kind == filters.kind)
    if filters.contract:
        stmt = stmt.where(LedgerEntry.contract == filters.contract.strip())
    if filters.proposal_id is not None:
        stmt = stmt.where(LedgerEntry.proposal_id == filters.proposal_id)
    return stmt


def ledger_page(
    session: Session,
    user: User,
    filters: LedgerFilter = LedgerFilter(),
    cursor: str | None = None,
    per_page: int = 50,
) -> Page[LedgerEntry]:
    """One page of the ledger, newest first (keyset on id: no OFFSET scans)."""
    return keyset_page(
        session, ledger_query(session, user, filters), [LedgerEntry.id], cursor, per_page, descending=True
    )


def ledger_totals(
    session: Session, user: User, filters: LedgerFilter = LedgerFilter()
) -> list[tuple[str, str | None, Decimal, int]]:
    """(payee, name, total, lines) per payee for the same filters: the running totals."""
    base = ledger_query(session, user, filters).subquery()
    names = select(Collaborator.id, Collaborator.name).subquery()
    stmt = (
        select(base.c.payee, func.max(names.c.name), money_sum(base.c.amount), func.count())
        .select_from(base)
        .outerjoin(names, names.c.id == base.c.collaborator_id)
        .group_by(base.c.payee)
        .order_by(base.c.payee)
    )
    return [tuple(row) for row in session.execute(stmt)]


def contract_entries(session: Session, user: User, proposal_id: int) -> list[LedgerEntry]:
    """Every ledger line of one proposal the user may see (NotFound outside their scope),
    in competência order: the contract's commission view."""
    get_proposal_for(session, user, proposal_id)
    stmt = ledger_query(session, user, LedgerFilter(proposal_id=proposal_id)).order_by(
        LedgerEntry.competence, LedgerEntry.id
    )
    return list(session.scalars(stmt))


def frozen_ref(session: Session, proposal_id: int) -> ProposalCommissionRef | None:
    return session.get(ProposalCommissionRef, proposal_id)


def no_table_query(session: Session, user: User, problem: str = "") -> Select:
    """The "sem tabela" list: paid proposals with no table row (or an ambiguous one),
    each with the reason; rows are (Proposal, ProposalCommissionRef)."""
    stmt = (
        proposals_for(session, user)
        .add_columns(ProposalCommissionRef)
        .join(ProposalCommissionRef, ProposalCommissionRef.proposal_id == Proposal.id)
        .where(ProposalCommissionRef.problem.is_not(None))
    )
    if problem:
        stmt = stmt.where(ProposalCommissionRef.problem == problem)
    return stmt.order_by(Proposal.paid_at.desc(), Proposal.id.desc())


def no_table_list(
    session: Session, user: User, problem: str = "", limit: int = 200
) -> list[tuple[Proposal, ProposalCommissionRef]]:
    return [tuple(row) for row in session.execute(no_table_query(session, user, problem).limit(limit))]
