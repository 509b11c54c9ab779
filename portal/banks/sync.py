"""Polling banks for status changes: every update lands in the same inbox as webhooks.

`poll_bank` asks one bank for the changes since its last successful poll (with an overlap,
so nothing slips between two polls) and stores each update as an inbox event whose id is
derived from the update itself: polling twice, or receiving the same change by webhook and
by polling, never applies it twice (the proposals side applies each update idempotently).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks import inbox
from portal.banks.errors import BankError
from portal.banks.models import Bank
from portal.banks.registry import build_connector
from portal.banks.service import settings_for
from portal.banks.state import StateStore
from portal.banks.types import BankSettings, Capability, StatusUpdate
from portal.core.db import utcnow

logger = logging.getLogger("portal.banks")

OVERLAP = timedelta(minutes=10)
FIRST_POLL_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class PollResult:
    bank_code: str
    received: int = 0
    stored: int = 0
    error: str | None = None


def pollable_banks(session: Session) -> list[Bank]:
    """Enabled banks whose status can be fetched through their API."""
    banks = session.scalars(select(Bank).where(Bank.enabled.is_(True)).order_by(Bank.code))
    return [bank for bank in banks if bank.has(Capability.FETCH_STATUS)]


def update_event_id(update: StatusUpdate) -> str:
    """A stable id for one status change (same change -> same id, whoever reports it)."""
    raw = f"{update.bank_proposal_number}|{update.bank_status}|{update.occurred_at.isoformat()}"
    return "poll:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def store_updates(session: Session, bank_code: str, updates: list[StatusUpdate]) -> int:
    """Put polled updates in the inbox, one event each; returns how many were new."""
    stored = 0
    for update in updates:
        if inbox.receive(session, bank_code, update_event_id(update), [update]) is not None:
            stored += 1
    return stored


def poll_since(bank: Bank, now: datetime) -> datetime:
    """The moment to ask changes from: the last successful poll (with overlap) or a day back."""
    return (bank.status_synced_at - OVERLAP) if bank.status_synced_at else now - FIRST_POLL_WINDOW


def fetch_changes(
    bank_code: str, settings: BankSettings, store: StateStore, since: datetime
) -> list[StatusUpdate] | PollResult:
    """Ask one bank for its changes (network only, no database): the updates, or the
    failed poll's result. Kept apart so a job holds no transaction while it waits."""
    connector = build_connector(settings, store)
    try:
        return connector.fetch_status(since=since)
    except BankError as error:
        logger.warning("status poll failed bank=%s error=%s", bank_code, type(error).__name__)
        return PollResult(bank_code, error=error.message)


def record_poll(session: Session, bank: Bank, updates: list[StatusUpdate], now: datetime) -> PollResult:
    """Store a successful poll's updates in the inbox and move the bank's poll mark."""
    stored = store_updates(session, bank.code, updates)
    bank.status_synced_at = now
    session.flush()
    return PollResult(bank.code, received=len(updates), stored=stored)


def poll_bank(session: Session, bank: Bank, store: StateStore, now: datetime | None = None) -> PollResult:
    """Fetch one bank's changes since its last poll into the inbox; never raises BankError."""
    now = now or utcnow()
    fetched = fetch_changes(bank.code, settings_for(bank), store, poll_since(bank, now))
    if isinstance(fetched, PollResult):
        return fetched
    return record_poll(session, bank, fetched, now)
