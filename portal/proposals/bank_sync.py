"""Status sync with the banks: the "banks.sync_status" job (every 5 minutes) and the
function the webhook endpoint calls to apply a stored event at once.

One run: (1) polls every API bank for changes into the inbox (`portal.banks.sync`);
(2) resolves "submission unconfirmed" proposals by asking the bank for the proposal it
registered with our idempotency key; (3) applies every pending inbox event to its proposal
through `apply_bank_status` (idempotent: the same status twice changes nothing), with the
bank's moment of each update, so one older than the status already applied is ignored
(webhooks and polls arrive out of order). Running it twice, or concurrently with webhooks,
is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks import inbox, sync
from portal.banks.errors import BankError
from portal.banks.models import WebhookEvent
from portal.banks.registry import build_connector
from portal.banks.service import default_store, get_bank, settings_for
from portal.banks.state import StateStore
from portal.banks.types import Capability
from portal.core.audit import SYSTEM, Actor
from portal.core.db import utcnow
from portal.core.errors import NotFound
from portal.core.jobs import JobContext, JobResult, job_kind, periodic
from portal.proposals.mapping import apply_bank_status
from portal.proposals.models import EventSource, Proposal
from portal.proposals.services import change_status
from portal.proposals.statuses import Status
from portal.proposals.submission import ATTEMPT_KEY, confirm

log = logging.getLogger("portal.banks")

KIND = "banks.sync_status"
EVERY_SECONDS = 300
# A "simulated" proposal whose bank call started this long ago never got its answer
# recorded (the process stopped mid-call): it is reconciled like an unconfirmed one.
ABANDONED_AFTER = timedelta(minutes=10)


@dataclass
class SyncReport:
    polled: dict[str, str] = field(default_factory=dict)
    resolved: int = 0
    applied: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "Bancos consultados": len(self.polled),
            "Digitações confirmadas": self.resolved,
            "Atualizações aplicadas": self.applied,
        }


def apply_event(session: Session, event: WebhookEvent, actor: Actor = SYSTEM) -> int:
    """Apply one inbox event to the proposals it names; returns how many changed."""
    source = EventSource.BANK_SYNC.value if event.event_id.startswith("poll:") else EventSource.WEBHOOK.value
    changed = 0
    for update in inbox.from_payload(event.bank_code, event.payload):
        proposal = session.scalar(
            select(Proposal).where(
                Proposal.bank_code == event.bank_code,
                Proposal.bank_proposal_number == update.bank_proposal_number,
            )
        )
        if proposal is None:
            continue  # not ours (or not confirmed yet: the reconciliation fetches it)
        applied = apply_bank_status(
            session, actor, proposal, update.bank_status, source=source, occurred_at=update.occurred_at
        )
        if applied is not None:
            changed += 1
    inbox.mark_processed(event)
    session.flush()
    return changed


def _waiting_for_answer(session: Session) -> list[Proposal]:
    stale = utcnow() - ABANDONED_AFTER
    candidates = session.scalars(
        select(Proposal)
        .where(
            Proposal.status.in_([Status.SUBMISSION_UNCONFIRMED.value, Status.SIMULATED.value]),
            Proposal.idempotency_key.is_not(None),
        )
        .order_by(Proposal.id)
        .limit(500)
    )
    waiting = []
    for proposal in candidates:
        if proposal.status == Status.SIMULATED.value:
            started = (proposal.extra or {}).get(ATTEMPT_KEY)
            if not started or datetime.fromisoformat(started) > stale:
                continue
        waiting.append(proposal)
    return waiting


def reconcile(session: Session, store: StateStore, actor: Actor = SYSTEM) -> int:
    """Ask the banks which unconfirmed submissions they registered; returns how many resolved."""
    resolved = 0
    for proposal in _waiting_for_answer(session):
        try:
            bank = get_bank(session, proposal.bank_code)
        except NotFound:
            continue
        if not bank.has(Capability.FETCH_STATUS):
            continue
        connector = build_connector(settings_for(bank), store)
        try:
            found = connector.find_by_idempotency_key(proposal.idempotency_key or "")
        except BankError as error:
            log.warning(
                "reconcile failed bank=%s proposal=%s error=%s", bank.code, proposal.id, type(error).__name__
            )
            continue
        if found is None or not found.bank_proposal_number:
            continue
        if proposal.status == Status.SIMULATED.value:  # the call was made; its answer was lost
            change_status(
                session,
                actor,
                proposal,
                Status.SUBMISSION_UNCONFIRMED,
                reason="Resposta do banco não recebida",
                source=EventSource.BANK_SYNC.value,
            )
        confirm(session, actor, proposal, found, EventSource.BANK_SYNC.value)
        resolved += 1
    return resolved


def run_sync(session: Session, store: StateStore, actor: Actor = SYSTEM) -> SyncReport:
    report = SyncReport()
    for bank in sync.pollable_banks(session):
        result = sync.poll_bank(session, bank, store)
        report.polled[bank.code] = result.error or f"{result.stored} nova(s)"
    report.resolved = reconcile(session, store, actor)
    for event in inbox.pending(session):
        report.applied += apply_event(session, event, actor)
    session.flush()
    return report


@job_kind(KIND, label="Sincronizar status das propostas com os bancos", max_attempts=1)
def sync_status_job(ctx: JobContext) -> JobResult:
    report = run_sync(ctx.session, default_store(), SYSTEM)
    return JobResult(message="Status sincronizados com os bancos.", summary=report.summary())


periodic(KIND, EVERY_SECONDS)
