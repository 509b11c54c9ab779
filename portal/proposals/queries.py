"""Proposal reads, always through the one scoping rule."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.core.errors import NotFound
from portal.people.models import User
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


def events_of(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(
        session.scalars(
            select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)
        )
    )
