"""LGPD with proposals in view: what holds a client's data, and when a client is inactive.

The clients layer knows only the client's own fields; proposals and contracts live here.
A client cannot be anonymised while a proposal is still in the pipeline or a contract is
within its legal retention (DEFAULT_RETENTION_YEARS after the contract ends), and a
client with a recent proposal or a running contract is not "inactive".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, exists, extract, or_, select
from sqlalchemy.orm import Session

from portal.clients import privacy
from portal.clients.models import Client
from portal.core.audit import SYSTEM, Actor
from portal.core.errors import DomainError
from portal.proposals.models import Proposal
from portal.proposals.statuses import AFTER_SALE, TERMINAL, Status

# A paid contract runs until its last installment; these statuses mean it is running.
RUNNING_CONTRACT = {Status.ENDORSED, Status.PAID, Status.PAYMENT_RETURNED}
_FINISHED_OR_RUNNING = [s.value for s in TERMINAL | RUNNING_CONTRACT]
_RUNNING = [s.value for s in RUNNING_CONTRACT]


@dataclass(frozen=True)
class Hold:
    """A proposal that keeps the client's data, with the reason in Portuguese."""

    proposal: Proposal
    reason: str


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _contract_end(proposal: Proposal) -> date | None:
    """When a disbursed contract ends (or ended): after-sale moves end it early."""
    status = Status(proposal.status)
    if status in AFTER_SALE:
        return proposal.status_changed_at.date()
    if status in RUNNING_CONTRACT and proposal.paid_at is not None:
        return add_months(proposal.paid_at.date(), proposal.term_months)
    if status in RUNNING_CONTRACT:  # endorsed, not yet paid: runs at least the full term
        return add_months(proposal.status_changed_at.date(), proposal.term_months)
    return None


def holds_on(session: Session, client: Client, today: date) -> list[Hold]:
    """Every proposal that forbids anonymising `client` today."""
    holds = []
    proposals = session.scalars(
        select(Proposal).where(Proposal.client_id == client.id).order_by(Proposal.id)
    )
    for proposal in proposals:
        status = Status(proposal.status)
        if status not in TERMINAL and status not in RUNNING_CONTRACT:
            holds.append(Hold(proposal, f"Proposta em andamento ({status.label})."))
            continue
        end = _contract_end(proposal)
        if end is None or (status in AFTER_SALE and proposal.paid_at is None):
            continue  # refused/cancelled: never became a contract
        until = add_months(end, 12 * privacy.DEFAULT_RETENTION_YEARS)
        if until > today:
            holds.append(
                Hold(proposal, f"Contrato em guarda legal até {until.strftime('%d/%m/%Y')}.")
            )
    return holds


def anonymise_client(
    session: Session, actor: Actor, client: Client, storage_dir: str | Path, today: date
) -> str:
    """Anonymise unless a proposal or contract still holds the data (DomainError)."""
    holds = holds_on(session, client, today)
    if holds:
        raise DomainError(
            f"Não é possível anonimizar: {len(holds)} proposta(s) ou contrato(s) ainda "
            "exigem os dados (veja a lista abaixo)."
        )
    return privacy.anonymise_client(session, actor, client, storage_dir)


def active_since(cutoff: datetime) -> ColumnElement[bool]:
    """EXISTS a proposal that makes its client active at `cutoff`: still in the pipeline,
    touched since the cutoff, or a contract whose last installment falls after it
    (month precision, portable to SQLite and PostgreSQL)."""
    cutoff_month = cutoff.year * 12 + cutoff.month
    paid_month = extract("year", Proposal.paid_at) * 12 + extract("month", Proposal.paid_at)
    return exists().where(
        Proposal.client_id == Client.id,
        or_(
            Proposal.status.not_in(_FINISHED_OR_RUNNING),
            Proposal.status_changed_at >= cutoff,
            Proposal.created_at >= cutoff,
            and_(
                Proposal.status.in_(_RUNNING),
                or_(Proposal.paid_at.is_(None), paid_month + Proposal.term_months >= cutoff_month),
            ),
        ),
    )


def inactive_clients(years: int, today: date):
    """The retention list: no activity of the client nor of its proposals/contracts."""
    return privacy.inactive_clients(years, today, active_since=active_since)


def flag_inactive_clients(session: Session, years: int, today: date, actor: Actor = SYSTEM) -> int:
    return privacy.flag_inactive_clients(session, years, today, actor, active_since=active_since)

