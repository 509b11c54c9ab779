"""Listeners of proposal status changes, for the layers above proposals.

Commissions post a proposal's lines when it is paid and its clawback when it ends early,
in the same transaction as the move. Proposals may not import commissions (layers), so
higher layers register a listener here at app start (`portal.create_app`) and
`services.change_status` calls every listener after the move is flushed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.proposals.models import Proposal

StatusListener = Callable[[Session, Actor, Proposal, str, str], None]
_listeners: list[StatusListener] = []


def on_status_change(listener: StatusListener) -> StatusListener:
    """Register `listener(session, actor, proposal, from_status, to_status)` once."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def notify_status_change(session: Session, actor: Actor, proposal: Proposal, before: str, after: str) -> None:
    for listener in list(_listeners):
        listener(session, actor, proposal, before, after)
