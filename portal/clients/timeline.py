"""The client timeline: one place where every domain records what happened to a client.

Later domains (bank lookups, proposals) call `add_timeline_event`; it also refreshes the
client's `last_activity_at`, which the retention rule reads.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.clients.models import Client, ClientEvent
from portal.core.audit import Actor
from portal.core.db import utcnow

SUMMARY_MAX = 300


def add_timeline_event(
    session: Session, client: Client, kind: str, summary: str, actor: Actor
) -> ClientEvent:
    """Append an event (`summary` in Portuguese, without personal data) and flush."""
    now = utcnow()
    event = ClientEvent(
        client_id=client.id,
        occurred_at=now,
        kind=kind[:40],
        summary=summary[:SUMMARY_MAX],
        actor_id=actor.id,
        actor_label=actor.label[:200],
    )
    session.add(event)
    client.last_activity_at = now
    client.retention_flagged_at = None  # activity ends an inactivity flag
    session.flush()
    return event
