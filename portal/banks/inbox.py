"""Inbox of verified webhook events: each (bank, event id) is stored once, applied once.

The webhook endpoint verifies the signature (and the short-term replay memory in the shared
store), then calls `receive`. A redelivery that slips past the replay memory (e.g. after a
restart without Redis) finds its row here and changes nothing. Status updates are kept
without personal data: proposal number, bank status, moment and a scrubbed detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.banks.models import WebhookEvent
from portal.banks.types import StatusUpdate
from portal.core.db import utcnow

_DIGIT_RUNS = re.compile(r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}|\d{10,}")


def scrub(text: str, limit: int = 200) -> str:
    """Mask CPF- and benefit-number-like digit runs and cut long texts."""
    return _DIGIT_RUNS.sub("***", text or "")[:limit]


def to_payload(updates: Iterable[StatusUpdate]) -> list[dict[str, Any]]:
    return [
        {
            "number": u.bank_proposal_number,
            "status": u.bank_status,
            "occurred_at": u.occurred_at.isoformat(),
            "detail": scrub(u.detail),
        }
        for u in updates
    ]


def from_payload(bank: str, payload: list[dict[str, Any]]) -> list[StatusUpdate]:
    return [
        StatusUpdate(
            bank=bank,
            bank_proposal_number=str(row["number"]),
            bank_status=str(row["status"]),
            occurred_at=datetime.fromisoformat(row["occurred_at"]),
            detail=str(row.get("detail", "")),
        )
        for row in payload
    ]


def receive(
    session: Session, bank_code: str, event_id: str, updates: list[StatusUpdate]
) -> WebhookEvent | None:
    """Store the event; None when this (bank, event id) was already received."""
    event_id = event_id[:200]
    exists = session.scalar(
        select(WebhookEvent.id).where(WebhookEvent.bank_code == bank_code, WebhookEvent.event_id == event_id)
    )
    if exists is not None:
        return None
    event = WebhookEvent(bank_code=bank_code, event_id=event_id, payload=to_payload(updates))
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # the same event delivered twice at the same moment
        return None
    return event


def pending(session: Session, limit: int = 500) -> list[WebhookEvent]:
    """Events not yet applied, oldest first."""
    return list(
        session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.processed_at.is_(None))
            .order_by(WebhookEvent.id)
            .limit(limit)
        )
    )


def mark_processed(event: WebhookEvent) -> None:
    event.processed_at = utcnow()
