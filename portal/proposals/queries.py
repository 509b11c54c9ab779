"""Proposal reads, always through the one scoping rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from portal.banks.models import Bank
from portal.clients.models import Client
from portal.core.errors import NotFound
from portal.people.models import Collaborator, OrgUnit, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals.models import Proposal, ProposalEvent


def proposals_for(session: Session, user: User) -> Select:
    """Proposals the user may see: agent → own, supervisor → team, back office → all."""
    stmt = select(Proposal)
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(Proposal.agent_id.in_(visible))
    return stmt


def get_proposal_for(session: Session, user: User, proposal_id: int) -> Proposal:
    proposal = session.scalar(proposals_for(session, user).where(Proposal.id == proposal_id))
    if proposal is None:
        raise NotFound("Proposta não encontrada.")
    return proposal


@dataclass(frozen=True)
class ProposalPage:
    """What the proposal page reads in its one query about the proposal."""

    proposal: Proposal
    events: list[ProposalEvent]  # oldest first
    bank_name: str  # the registered name; the code in capitals for a bank since removed
    bank_in_liquidation: bool


@cache
def _page_statement() -> Select:
    """The proposal bound as `proposal_id`, outer-joined to its events (oldest first) and to
    its bank's name and liquidation flag, with only the related names and CPF its page
    shows: built once, each page binds the id."""
    # The bank's two fields as scalar subqueries, not a join: PostgreSQL plans each apart,
    # where one more joined table doubled the planning time of this statement.
    bank = Bank.code == Proposal.bank_code
    return (
        select(
            Proposal,
            ProposalEvent,
            select(Bank.name).where(bank).scalar_subquery(),
            select(Bank.under_liquidation).where(bank).scalar_subquery(),
        )
        .outerjoin(ProposalEvent, ProposalEvent.proposal_id == Proposal.id)
        .where(Proposal.id == bindparam("proposal_id"))
        .options(
            joinedload(Proposal.client).load_only(Client.id, Client.name, Client.cpf),
            joinedload(Proposal.agent).load_only(Collaborator.id, Collaborator.name),
            joinedload(Proposal.store).load_only(OrgUnit.id, OrgUnit.name),
            joinedload(Proposal.team).load_only(OrgUnit.id, OrgUnit.name),
        )
        .order_by(ProposalEvent.id)
    )


def proposal_page(session: Session, user: User, proposal_id: int) -> ProposalPage | None:
    """The proposal page's read: the proposal if `user` may see it (the scoping rule of
    `proposals_for`), its history and its bank, in one query; None when not found or not
    visible. The client's other (encrypted) fields are neither read nor decrypted."""
    stmt = _page_statement()
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(Proposal.agent_id.in_(visible))
    rows = session.execute(stmt, {"proposal_id": proposal_id}).all()
    if not rows:
        return None
    proposal, _, bank_name, liquidation = rows[0]
    return ProposalPage(
        proposal,
        [event for _, event, _, _ in rows if event is not None],
        bank_name or proposal.bank_code.upper(),
        bool(liquidation),
    )


def events_of(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(
        session.scalars(
            select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)
        )
    )
