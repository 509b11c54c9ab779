"""Bank status strings → canonical statuses, and applying what a bank reports.

Never guesses: a string with no mapping parks the proposal in "needs review" and leaves
its status alone. A sub-status set by a person survives the automatic sync.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.proposals.models import BankStatusMapping, EventSource, Proposal, ProposalEvent
from portal.proposals.services import change_status, record_event
from portal.proposals.statuses import BOARD_COLUMNS, REASON_REQUIRED, TRANSITIONS, Status, allowed_next

log = logging.getLogger("portal.proposals")

# Statuses a bank-reported jump may pass through silently: forward steps of the main
# line and the portability track, never ones a person must explain.
_FORWARD = [s for s in BOARD_COLUMNS if s not in REASON_REQUIRED and s != Status.SUBMISSION_UNCONFIRMED]


def implied_steps(current: Status, target: Status, product: str) -> list[Status]:
    """Statuses between `current` and a later `target`, walking forward one nearest legal
    step at a time (so a paid proposal's history shows it was signed and endorsed).

    Empty when the move is direct or has no forward path (the machine then decides).
    """
    if target in TRANSITIONS[current] or current not in _FORWARD or target not in _FORWARD:
        return []
    rank = {s: i for i, s in enumerate(BOARD_COLUMNS)}
    path: list[Status] = []
    status = current
    while True:
        options = [
            s
            for s in allowed_next(status, product)
            if s in _FORWARD and rank[status] < rank[s] <= rank[target]
        ]
        if not options:
            return []
        step = min(options, key=rank.__getitem__)
        if step == target:
            return path
        path.append(step)
        status = step


def normalize_bank_status(raw: str) -> str:
    return " ".join((raw or "").split()).upper()[:120]


def lookup(session: Session, bank_code: str, bank_status: str) -> BankStatusMapping | None:
    return session.scalar(
        select(BankStatusMapping).where(
            BankStatusMapping.bank_code == bank_code,
            BankStatusMapping.bank_status == normalize_bank_status(bank_status),
        )
    )


def set_mapping(
    session: Session, bank_code: str, bank_status: str, status: Status | str, sub_status: str | None = None
) -> BankStatusMapping:
    """Create or change the mapping of one bank status string."""
    key = normalize_bank_status(bank_status)
    if not key:
        raise DomainError("Informe o status do banco.", field="bank_status")
    mapping = lookup(session, bank_code, key) or BankStatusMapping(bank_code=bank_code, bank_status=key)
    mapping.status = Status(status).value
    mapping.sub_status = (sub_status or "").strip()[:80] or None
    session.add(mapping)
    session.flush()
    return mapping


def is_out_of_order(proposal: Proposal, occurred_at: datetime | None) -> bool:
    """True when the bank reports a moment older than the status already applied."""
    return (
        occurred_at is not None
        and proposal.bank_status_at is not None
        and _utc(occurred_at) < proposal.bank_status_at
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def apply_bank_status(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    bank_status: str,
    source: str = EventSource.BANK_SYNC.value,
    occurred_at: datetime | None = None,
) -> ProposalEvent | None:
    """Apply a status reported by the bank. Idempotent: the same string twice is a no-op.

    `occurred_at` is the bank's moment of the status (webhooks and polls carry it). Banks
    deliver notifications concurrently, so they can arrive out of order: a report older
    than `proposal.bank_status_at` is ignored and records nothing on the proposal (the raw
    report stays in the bank inbox). Without a moment (submission answers, spreadsheet
    imports) the status applies as before and `bank_status_at` is left as it is.

    Returns the event written, or None when nothing changed.
    """
    key = normalize_bank_status(bank_status)
    if not key:
        return None
    if is_out_of_order(proposal, occurred_at):
        log.info(
            "stale bank status ignored proposal=%s bank_status=%s occurred_at=%s applied_at=%s",
            proposal.id,
            key,
            occurred_at.isoformat() if occurred_at else None,
            proposal.bank_status_at.isoformat() if proposal.bank_status_at else None,
        )
        return None
    if occurred_at is not None:
        # Also for a repeated status: a later report of it must still beat an older one.
        moment = _utc(occurred_at)
        if proposal.bank_status_at is None or moment > proposal.bank_status_at:
            proposal.bank_status_at = moment
    if key == proposal.bank_status and not proposal.needs_review:
        return None
    proposal.bank_status = key
    mapping = lookup(session, proposal.bank_code, key)
    if mapping is None:
        proposal.needs_review = True
        event = record_event(session, proposal, actor, source, bank_status=key, details={"unmapped": True})
        session.flush()
        return event
    proposal.needs_review = False
    target = Status(mapping.status)
    if target == Status(proposal.status):
        if mapping.sub_status and not proposal.sub_status_by_human:
            proposal.sub_status = mapping.sub_status
        event = record_event(session, proposal, actor, source, bank_status=key)
        session.flush()
        return event
    try:
        for step in implied_steps(Status(proposal.status), target, proposal.product):
            # The bank skipped statuses it does not report (or the sync missed them):
            # walk the forward ones so the history stays complete and legal.
            change_status(
                session,
                actor,
                proposal,
                step,
                reason=f"Etapa implícita no status do banco: {key}",
                source=source,
            )
        return change_status(
            session,
            actor,
            proposal,
            target,
            reason=f"Status do banco: {key}",
            source=source,
            sub_status=mapping.sub_status,
            bank_status=key,
        )
    except DomainError as refused:
        # The bank says something our machine does not allow from here: a person decides.
        proposal.needs_review = True
        event = record_event(
            session, proposal, actor, source, bank_status=key, details={"refused": refused.message}
        )
        session.flush()
        return event


@dataclass
class Reapplied:
    """What a new mapping did to the proposals parked with its bank status."""

    cleared: int = 0
    # Why the others stayed in review (the machine's refusal) → how many.
    stayed: Counter[str] = field(default_factory=Counter)
    # Parked beyond this run's limit: saving the mapping again reaches them.
    not_reached: int = 0


def reapply_parked(
    session: Session, actor: Actor, bank_code: str, bank_status: str, limit: int = 1000
) -> Reapplied:
    """After a mapping is created or changed, apply it to the proposals parked with that
    bank status: how many left "needs review", and why the others stayed."""
    key = normalize_bank_status(bank_status)
    where = (
        Proposal.needs_review.is_(True),
        Proposal.bank_code == bank_code,
        Proposal.bank_status == key,
    )
    total = session.scalar(select(func.count()).select_from(Proposal).where(*where)) or 0
    parked = session.scalars(select(Proposal).where(*where).order_by(Proposal.id).limit(limit)).all()
    result = Reapplied(not_reached=total - len(parked))
    for proposal in parked:
        event = apply_bank_status(session, actor, proposal, key, source=EventSource.SYSTEM.value)
        if not proposal.needs_review:
            result.cleared += 1
            continue
        details = (event.details if event is not None else None) or {}
        result.stayed[details.get("refused") or "O status do banco continua sem mapeamento."] += 1
    return result


def mappings(session: Session, bank_code: str = "") -> list[BankStatusMapping]:
    stmt = select(BankStatusMapping).order_by(BankStatusMapping.bank_code, BankStatusMapping.bank_status)
    if bank_code:
        stmt = stmt.where(BankStatusMapping.bank_code == bank_code)
    return list(session.scalars(stmt))


def delete_mapping(session: Session, mapping_id: int) -> BankStatusMapping:
    mapping = session.get(BankStatusMapping, mapping_id)
    if mapping is None:
        raise DomainError("Mapeamento não encontrado.")
    session.delete(mapping)
    session.flush()
    return mapping
