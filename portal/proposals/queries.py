"""Proposal reads, always through the one scoping rule."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

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


@cache
def _page_statement() -> Select:
    """The proposal bound as `proposal_id`, outer-joined to its events (oldest first), with
    only the related names and CPF its page shows: built once, each page binds the id."""
    return (
        select(Proposal, ProposalEvent)
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


def proposal_with_events(
    session: Session, user: User, proposal_id: int
) -> tuple[Proposal, list[ProposalEvent]] | None:
    """The proposal page's read: the proposal if `user` may see it (the scoping rule of
    `proposals_for`) and its history, in one query; None when not found or not visible.
    The client's other (encrypted) fields are neither read nor decrypted, per event row."""
    stmt = _page_statement()
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(Proposal.agent_id.in_(visible))
    rows = session.execute(stmt, {"proposal_id": proposal_id}).all()
    if not rows:
        return None
    return rows[0][0], [event for _, event in rows if event is not None]


def events_of(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(
        session.scalars(
            select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)
        )
    )
