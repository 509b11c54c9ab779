"""What a person did to a proposal, recorded twice: an event on the proposal's timeline
(what the pages show) and an entry in the audit log (who did what, append-only)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import NotFound
from portal.proposals.models import EventSource, Proposal
from portal.proposals.services import record_event

Row = TypeVar("Row")


def record_user_action(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    reason: str,
    action: str,
    audit_details: dict[str, Any],
    event_details: dict[str, Any] | None = None,
) -> None:
    """The timeline event (`reason`, `event_details`) and the audit entry (`action`)."""
    values: dict[str, Any] = {"reason": reason}
    if event_details is not None:
        values["details"] = event_details
    record_event(session, proposal, actor, EventSource.USER.value, **values)
    audit.record(session, actor, action, f"proposal:{proposal.id}", audit_details)


def proposal_row(session: Session, model: type[Row], proposal: Proposal, row_id: int, missing: str) -> Row:
    """Row `row_id` of `model` when it belongs to `proposal`; NotFound(`missing`) otherwise."""
    row = session.scalar(
        select(model).where(model.id == row_id, model.proposal_id == proposal.id)  # type: ignore[attr-defined]
    )
    if row is None:
        raise NotFound(missing)
    return row
