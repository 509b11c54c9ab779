"""What an operator does to proposals: move one (optimistic lock), move or reassign many,
clear the "needs review" flag. Built on `services.change_status`; flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import Conflict, DomainError
from portal.proposals import pendencies
from portal.proposals.models import EventSource, Proposal, ProposalEvent
from portal.proposals.pipeline_models import PendencyOwner, PendencyType
from portal.proposals.services import STALE_MESSAGE, change_status, record_event
from portal.proposals.statuses import Status, check_transition

BULK_MAX = 500


def move(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    target: Status | str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    sub_status: str | None = None,
) -> ProposalEvent:
    """A person moves a proposal. A stale screen (version) or a concurrent move that
    committed first raises Conflict; a move the machine refuses raises DomainError."""
    before = proposal.status
    try:
        event = change_status(
            session,
            actor,
            proposal,
            target,
            reason=reason,
            source=EventSource.USER.value,
            expected_version=expected_version,
            sub_status=sub_status,
        )
        if proposal.needs_review:
            proposal.needs_review = False  # a person decided where it stands
            session.flush()
    except StaleDataError:
        raise Conflict(STALE_MESSAGE) from None
    audit.record(
        session,
        actor,
        "proposal.status_changed",
        f"proposal:{proposal.id}",
        {"from": before, "to": event.to_status},
    )
    return event


def move_to_pending(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    pendency_type_id: int | None,
    note: str | None,
    *,
    expected_version: int | None = None,
    sub_status: str | None = None,
) -> ProposalEvent:
    """Move to "Pendente" and open the pendency the agent must clear, in one step: the
    note is both the move's reason and the pendency's description."""
    check_transition(Status(proposal.status), Status.PENDING, proposal.product, note)
    kind = session.get(PendencyType, pendency_type_id) if pendency_type_id else None
    if kind is None or not kind.active:
        raise DomainError("Escolha o tipo de pendência.", field="pendency_type_id")
    event = move(
        session, actor, proposal, Status.PENDING,
        reason=note, expected_version=expected_version, sub_status=sub_status,
    )  # fmt: skip
    pendencies.open_pendency(
        session,
        actor,
        proposal,
        pendencies.NewPendency(kind.id, PendencyOwner.AGENT.value, note or ""),
    )
    return event


def mark_reviewed(
    session: Session, actor: Actor, proposal: Proposal, expected_version: int | None = None
) -> None:
    """Keep the current status and leave the review list (the bank status stays recorded)."""
    if expected_version is not None and proposal.version != expected_version:
        raise Conflict(STALE_MESSAGE)
    if not proposal.needs_review:
        raise DomainError("A proposta não está em revisão.")
    proposal.needs_review = False
    record_event(
        session,
        proposal,
        actor,
        EventSource.USER.value,
        reason="Revisada: status mantido",
        bank_status=proposal.bank_status,
    )
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(STALE_MESSAGE) from None
    audit.record(session, actor, "proposal.reviewed", f"proposal:{proposal.id}")


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def _check_size(items: list) -> None:
    if not items:
        raise DomainError("Selecione ao menos uma proposta.", field="ids")
    if len(items) > BULK_MAX:
        raise DomainError(f"Selecione no máximo {BULK_MAX} propostas por vez.", field="ids")


def bulk_move(
    session: Session,
    actor: Actor,
    items: list[tuple[Proposal, int | None]],
    target: Status | str,
    reason: str | None,
) -> BulkResult:
    """Move each (proposal, version seen) in its own SAVEPOINT: one refusal or conflict
    does not undo the others, and each failure is reported with its reason."""
    _check_size(items)
    result = BulkResult()
    for proposal, version in items:
        try:
            with session.begin_nested():
                move(session, actor, proposal, target, reason=reason, expected_version=version)
        except DomainError as error:
            result.failed.append((proposal.id, error.message))
        else:
            result.done.append(proposal.id)
    return result


def bulk_assign_pendencies(
    session: Session, actor: Actor, proposals: list[Proposal], owner_kind: str
) -> BulkResult:
    """Give the open pendencies of each proposal to the agent or to operations."""
    _check_size(proposals)
    result = BulkResult()
    for proposal in proposals:
        changed = pendencies.assign_owner(session, actor, proposal, owner_kind)
        if changed:
            result.done.append(proposal.id)
        else:
            result.failed.append((proposal.id, "Nenhuma pendência aberta para reatribuir."))
    return result
