"""Proposal writes: create (idempotent), move through the status machine, apply a bank
status. Every change is a ProposalEvent; services flush, the caller commits once.
Each flush also brings the board's rollup up to date in the same transaction
(`portal.proposals.rollup`, imported here so it is active wherever proposals are written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import Conflict, DomainError
from portal.people.models import Membership, OrgKind, OrgUnit
from portal.people.scope import active_on
from portal.proposals import rollup  # noqa: F401  (keeps the board rollup in step on flush)
from portal.proposals.hooks import notify_status_change
from portal.proposals.models import EventSource, Origin, Product, Proposal, ProposalEvent
from portal.proposals.statuses import Status, check_transition

# Dates stamped when a proposal first reaches a status.
_STAMPS = {
    Status.SUBMITTED: "submitted_at",
    Status.SIGNED: "signed_at",
    Status.AWAITING_ENDORSEMENT: "approved_at",
    Status.ENDORSED: "endorsed_at",
    Status.PAID: "paid_at",
    Status.CANCELLED: "cancelled_at",
}

STALE_MESSAGE = "A proposta foi alterada por outra pessoa enquanto você a via. Recarregue e tente de novo."


@dataclass
class NewProposal:
    """What a submission (API, manual or import) knows about a new proposal."""

    client_id: int
    agent_id: int
    bank_code: str
    product: str
    agreement: str
    term_months: int
    gross_amount: Decimal
    origin: str = Origin.API.value
    submitted_by_id: int | None = None
    sub_correspondent_id: int | None = None
    rate_table_code: str | None = None
    monthly_rate: Decimal | None = None
    installment: Decimal | None = None
    net_amount: Decimal | None = None
    cash_out: Decimal | None = None
    insurance: Decimal | None = None
    bank_proposal_number: str | None = None
    contract_number: str | None = None
    signing_link: str | None = None
    bank_status: str | None = None
    idempotency_key: str | None = None
    submitted_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _validate(data: NewProposal) -> None:
    try:
        Product(data.product)
    except ValueError:
        raise DomainError("Produto inválido.", field="product") from None
    if not 1 <= int(data.term_months) <= 420:
        raise DomainError("Prazo inválido.", field="term_months")
    if data.gross_amount is None or Decimal(data.gross_amount) <= 0:
        raise DomainError("Informe o valor bruto da operação.", field="gross_amount")
    for name in ("net_amount", "cash_out", "insurance", "installment"):
        value = getattr(data, name)
        if value is not None and Decimal(value) < 0:
            raise DomainError("Valores não podem ser negativos.", field=name)


def team_and_store(session: Session, collaborator_id: int, on: date) -> tuple[int | None, int | None]:
    """The team the collaborator was in on `on`, and the store above it (frozen on the proposal)."""
    unit = session.scalar(
        select(OrgUnit)
        .join(Membership, Membership.org_unit_id == OrgUnit.id)
        .where(Membership.collaborator_id == collaborator_id, active_on(on))
        .order_by(Membership.valid_from.desc())
        .limit(1)
    )
    team_id = unit.id if unit is not None and unit.kind == OrgKind.TEAM else None
    store = unit
    while store is not None and store.kind != OrgKind.STORE:
        store = store.parent
    return team_id, store.id if store is not None else None


def find_by_idempotency_key(session: Session, key: str) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.idempotency_key == key))


def record_event(
    session: Session, proposal: Proposal, actor: Actor, source: str, **values: Any
) -> ProposalEvent:
    event = ProposalEvent(
        proposal_id=proposal.id,
        occurred_at=utcnow(),
        actor_id=actor.id,
        actor_label=actor.label,
        source=source,
        **values,
    )
    session.add(event)
    return event


def create_proposal(
    session: Session,
    actor: Actor,
    data: NewProposal,
    status: Status = Status.SUBMITTED,
    source: str = EventSource.USER.value,
) -> Proposal:
    """Create a proposal; with an idempotency key already used, return that proposal."""
    if data.idempotency_key:
        existing = find_by_idempotency_key(session, data.idempotency_key)
        if existing is not None:
            return existing
    _validate(data)
    now = utcnow()
    submitted_at = data.submitted_at or now
    team_id, store_id = team_and_store(session, data.agent_id, submitted_at.date())
    values = {k: v for k, v in data.__dict__.items() if k != "submitted_at"}
    proposal = Proposal(
        **values,
        team_id=team_id,
        store_id=store_id,
        status=status.value,
        status_changed_at=now,
        submitted_at=submitted_at if status != Status.SIMULATED else None,
        created_by_id=actor.id,
    )
    session.add(proposal)
    session.flush()
    record_event(
        session,
        proposal,
        actor,
        source,
        from_status=None,
        to_status=status.value,
        bank_status=data.bank_status,
    )
    audit.record(session, actor, "proposal.created", f"proposal:{proposal.id}", {"bank": data.bank_code})
    session.flush()
    return proposal


def change_status(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    target: Status | str,
    *,
    reason: str | None = None,
    source: str = EventSource.USER.value,
    expected_version: int | None = None,
    sub_status: str | None = None,
    bank_status: str | None = None,
) -> ProposalEvent:
    """Move `proposal` to `target` if the machine allows it; refuse stale screens."""
    target = Status(target)
    if expected_version is not None and proposal.version != expected_version:
        raise Conflict(STALE_MESSAGE)
    current = Status(proposal.status)
    reason = (reason or "").strip()[:500] or None
    check_transition(current, target, proposal.product, reason)
    now = utcnow()
    proposal.status = target.value
    proposal.status_changed_at = now
    stamp = _STAMPS.get(target)
    if stamp and getattr(proposal, stamp) is None:
        setattr(proposal, stamp, now)
    if source == EventSource.USER.value:
        if sub_status is not None:
            proposal.sub_status = sub_status.strip()[:80] or None
            proposal.sub_status_by_human = proposal.sub_status is not None
    elif sub_status is not None and not proposal.sub_status_by_human:
        proposal.sub_status = sub_status
    event = record_event(
        session,
        proposal,
        actor,
        source,
        from_status=current.value,
        to_status=target.value,
        reason=reason,
        bank_status=bank_status,
    )
    session.flush()
    # Higher layers (commissions) react in the same transaction: posting on "paga",
    # clawback when a paid contract ends.
    notify_status_change(session, actor, proposal, current.value, target.value)
    return event
