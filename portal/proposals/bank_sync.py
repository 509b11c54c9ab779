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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks import inbox, sync
from portal.banks.call_log import record_call
from portal.banks.errors import BankError
from portal.banks.models import Bank, WebhookEvent
from portal.banks.registry import build_connector
from portal.banks.service import default_store, get_bank, settings_for
from portal.banks.state import StateStore
from portal.banks.types import BankSettings, Capability, StatusUpdate, SubmissionResult
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
_WAITING = frozenset({Status.SUBMISSION_UNCONFIRMED.value, Status.SIMULATED.value})
T = TypeVar("T")


class Step(Protocol):
    """How a unit of work runs: `ctx.step` in the job, `run_inline` in a caller's transaction."""

    def __call__(self, fn: Callable[[], T], /) -> T: ...


def run_inline(fn: Callable[[], T]) -> T:
    """Run `fn` in the caller's transaction (the webhook request, tests)."""
    return fn()


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
            Proposal.status.in_(list(_WAITING)),
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


@dataclass(frozen=True)
class _Question:
    """One unconfirmed submission to ask its bank about (plain data: no session needed)."""

    proposal_id: int
    key: str
    bank: BankSettings


def _questions(session: Session) -> list[_Question]:
    questions = []
    for proposal in _waiting_for_answer(session):
        try:
            bank = get_bank(session, proposal.bank_code)
        except NotFound:
            continue
        if bank.has(Capability.FETCH_STATUS):
            questions.append(_Question(proposal.id, proposal.idempotency_key or "", settings_for(bank)))
    return questions


def _resolve(session: Session, actor: Actor, proposal_id: int, found: SubmissionResult) -> int:
    """Record the bank's answer, unless a webhook or another run already did (0 then)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.status not in _WAITING:
        return 0
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
    session.flush()
    return 1


def reconcile(session: Session, store: StateStore, actor: Actor = SYSTEM, step: Step = run_inline) -> int:
    """Ask the banks which unconfirmed submissions they registered; returns how many resolved."""
    resolved = 0
    for question in step(partial(_questions, session)):
        connector = build_connector(question.bank, store)
        try:
            found = connector.find_by_idempotency_key(question.key)
        except BankError as error:
            log.warning(
                "reconcile failed bank=%s proposal=%s error=%s",
                question.bank.code,
                question.proposal_id,
                type(error).__name__,
            )
            continue
        if found is None or not found.bank_proposal_number:
            continue
        resolved += step(partial(_resolve, session, actor, question.proposal_id, found))
    return resolved


def _poll_targets(session: Session) -> list[tuple[int, BankSettings, datetime, datetime]]:
    now = utcnow()
    banks = sync.pollable_banks(session)
    return [(bank.id, settings_for(bank), sync.poll_since(bank, now), now) for bank in banks]


def _record_poll(
    session: Session, bank_id: int, updates: list[StatusUpdate], now: datetime, latency_ms: int
) -> sync.PollResult:
    bank = session.get_one(Bank, bank_id)
    record_call(session, bank.code, "status_poll", "ok", latency_ms)
    return sync.record_poll(session, bank, updates, now)


def _record_failed_poll(session: Session, bank_code: str, error: str | None, latency_ms: int) -> None:
    record_call(session, bank_code, "status_poll", "unavailable", latency_ms, error or "")
    session.flush()


def _apply_pending(session: Session, event_id: int, actor: Actor) -> int:
    event = session.get(WebhookEvent, event_id)
    if event is None or event.processed_at is not None:  # a webhook applied it meanwhile
        return 0
    return apply_event(session, event, actor)


def run_sync(
    session: Session, store: StateStore, actor: Actor = SYSTEM, step: Step = run_inline
) -> SyncReport:
    """Poll, reconcile, apply. Every database read or write goes through `step` (the job
    passes `ctx.step`: short committed transactions) and every bank call happens between
    steps, so the sync never holds the database while it waits for a bank."""
    report = SyncReport()
    for bank_id, settings, since, now in step(partial(_poll_targets, session)):
        started = time.perf_counter()
        fetched = sync.fetch_changes(settings.code, settings, store, since)
        latency_ms = int((time.perf_counter() - started) * 1000)
        if not isinstance(fetched, sync.PollResult):
            fetched = step(partial(_record_poll, session, bank_id, fetched, now, latency_ms))
        else:
            step(partial(_record_failed_poll, session, settings.code, fetched.error, latency_ms))
        report.polled[settings.code] = fetched.error or f"{fetched.stored} nova(s)"
    report.resolved = reconcile(session, store, actor, step)
    pending = step(lambda: [event.id for event in inbox.pending(session)])
    for event_id in pending:
        report.applied += step(partial(_apply_pending, session, event_id, actor))
    return report


@job_kind(KIND, label="Sincronizar status das propostas com os bancos", max_attempts=1)
def sync_status_job(ctx: JobContext) -> JobResult:
    report = run_sync(ctx.session, default_store(), SYSTEM, step=ctx.step)
    return JobResult(message="Status sincronizados com os bancos.", summary=report.summary())


periodic(KIND, EVERY_SECONDS)
