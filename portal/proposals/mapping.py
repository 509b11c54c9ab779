"""Bank status strings → canonical statuses, and applying what a bank reports.

Never guesses: a string with no mapping parks the proposal in "needs review" and leaves
its status alone. A sub-status set by a person survives the automatic sync.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.proposals.models import BankStatusMapping, EventSource, Proposal, ProposalEvent
from portal.proposals.services import change_status, record_event
from portal.proposals.statuses import Status


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


def apply_bank_status(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    bank_status: str,
    source: str = EventSource.BANK_SYNC.value,
) -> ProposalEvent | None:
    """Apply a status reported by the bank. Idempotent: the same string twice is a no-op.

    Returns the event written, or None when nothing changed.
    """
    key = normalize_bank_status(bank_status)
    if not key or (key == proposal.bank_status and not proposal.needs_review):
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
