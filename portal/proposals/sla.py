"""SLA: how long a proposal may stay in each status before it is flagged.

Limits are hours per canonical status (`SlaLimit`), editable by operations. A proposal is
"breached" when it has been in its current status longer than that status's limit;
statuses without a limit are never breached. The SQL form is an OR of one range per
status (`status = s AND status_changed_at < now - limit`), which the
(status, status_changed_at) index answers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    String,
    and_,
    bindparam,
    cast,
    false,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from portal.core import audit, effective
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.formats import TIMEZONE
from portal.proposals import catalogue  # noqa: F401  (stamps every change for the proposal page's copy)
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import SlaLimit
from portal.proposals.statuses import TERMINAL, Status

# Sensible starting points (hours); operations adjust them on /operations/sla.
DEFAULT_LIMITS: dict[Status, int] = {
    Status.SUBMISSION_UNCONFIRMED: 4,
    Status.SUBMITTED: 24,
    Status.WAITING_SIGNATURE: 72,
    Status.SIGNED: 24,
    Status.UNDER_ANALYSIS: 48,
    Status.PENDING: 48,
    Status.AWAITING_CIP: 120,
    Status.BALANCE_RETURNED: 48,
    Status.AWAITING_BALANCE_PAYMENT: 48,
    Status.AWAITING_ENDORSEMENT: 72,
    Status.ENDORSED: 48,
    Status.PAYMENT_RETURNED: 48,
}
MAX_HOURS = 24 * 365

# Statuses where time still matters (closed and after-sale proposals have no SLA).
TRACKED: list[Status] = [s for s in Status if s not in TERMINAL and s not in (Status.SIMULATED, Status.PAID)]


KEY = "sla_hours"  # effective-dated SLA limits: scope = status, value = hours (None = no limit)


def local_today() -> date:
    """Today in Brasília, from the (fakeable) `utcnow` of this module."""
    return utcnow().astimezone(TIMEZONE).date()


@cache
def _limits_statement() -> CompoundSelect:
    """Base limits and the versions in force on the day bound as `on`: built once, so each
    page only binds the day (no statement to build and walk again)."""
    base = select(SlaLimit.status, cast(SlaLimit.hours, String), literal(0))
    dated = effective.in_force_select(KEY, bindparam("on", type_=Date)).add_columns(literal(1))
    return union_all(base, dated)


def limits(session: Session, on: date | None = None) -> dict[str, int]:
    """status → hours in force on `on` (today by default), only for statuses with a limit.

    The undated `SlaLimit` rows are the base; versions scheduled on /operations/sla
    (`portal.core.effective`, key "sla_hours") replace them from their start date on.
    Both are read in one statement (every pipeline page needs the limits)."""
    return limits_from(session.execute(_limits_statement(), {"on": on or local_today()}))


def limits_from(rows: Iterable[Sequence[Any]]) -> dict[str, int]:
    """status → hours from (status, hours text or None, 0 for a base row / 1 for a version
    in force) rows, as `limits` reads them (and the proposal page's catalogue copy)."""
    current: dict[str, int] = {}
    # Base rows first, so a version in force replaces its status's base value.
    for status, hours, _ in sorted(rows, key=lambda row: row[2]):
        current[status] = int(Decimal(hours)) if hours is not None else 0
    return {status: hours for status, hours in current.items() if hours}


def schedule_limit(
    session: Session, actor: Actor, status: str, hours: int | None, valid_from: date, today: date
) -> effective.Scheduled:
    """Schedule the limit of `status` from `valid_from` (today or later); None/0 = no limit."""
    if status not in {s.value for s in TRACKED}:
        raise DomainError("Status sem SLA.", field="status")
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        raise DomainError(f"Informe entre 0 e {MAX_HOURS} horas.", field="hours")
    base = session.get(SlaLimit, status)
    return effective.schedule(
        session,
        actor,
        key=KEY,
        scope=status,
        value=Decimal(hours) if hours else None,
        valid_from=valid_from,
        today=today,
        baseline=Decimal(base.hours) if base is not None and base.hours else None,
    )


def limit_history(session: Session) -> list[effective.EffectiveValue]:
    return effective.history(session, KEY)


def ensure_default_limits(session: Session) -> int:
    existing = set(session.scalars(select(SlaLimit.status)))
    missing = [
        SlaLimit(status=s.value, hours=h) for s, h in DEFAULT_LIMITS.items() if s.value not in existing
    ]
    session.add_all(missing)
    session.flush()
    return len(missing)


def save_limits(
    session: Session, actor: Actor, values: dict[str, int | None], today: date | None = None
) -> None:
    """Change the limits of the given statuses from today on; None or 0 removes a status's limit.

    Each change is also a dated version (history: old → new, who, when); the undated rows
    follow, so they always hold the latest value set for today."""
    today = today or local_today()
    tracked = {s.value for s in TRACKED}
    in_force = limits(session, today)
    current = {row.status: row for row in session.scalars(select(SlaLimit))}
    for status, hours in values.items():
        if status not in tracked:
            raise DomainError("Status sem SLA.", field=status)
        if hours is not None and not 0 <= hours <= MAX_HOURS:
            raise DomainError(f"Informe entre 0 e {MAX_HOURS} horas.", field=status)
    for status, hours in values.items():
        if (hours or None) != in_force.get(status):
            try:
                schedule_limit(session, actor, status, hours or None, today, today)
            except DomainError as error:  # e.g. a change already scheduled: shown on its row
                raise DomainError(error.message, field=status) from None
        row = current.get(status)
        if not hours:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            session.add(SlaLimit(status=status, hours=hours))
        else:
            row.hours = hours
    session.flush()
    audit.record(session, actor, "sla.limits_saved", "sla", {k: v for k, v in values.items() if v})


def is_breached(proposal: Proposal, limits_by_status: dict[str, int], now: datetime | None = None) -> bool:
    hours = limits_by_status.get(proposal.status)
    if not hours:
        return False
    return proposal.status_changed_at < (now or utcnow()) - timedelta(hours=hours)


def hours_in_status(proposal: Proposal, now: datetime | None = None) -> float:
    return ((now or utcnow()) - proposal.status_changed_at).total_seconds() / 3600


@dataclass(frozen=True)
class StatusStay:
    """Total time a proposal spent in one status, and whether that went over its limit."""

    status: str
    hours: float
    limit_hours: int | None

    @property
    def breached(self) -> bool:
        return bool(self.limit_hours) and self.hours > (self.limit_hours or 0)


class StatusMove(Protocol):
    """What `time_in_each_status` reads of an event (a `ProposalEvent` or a page's row)."""

    @property
    def occurred_at(self) -> datetime: ...

    @property
    def to_status(self) -> str | None: ...


def time_in_each_status(
    events: Sequence[StatusMove], limits_by_status: dict[str, int], now: datetime | None = None
) -> list[StatusStay]:
    """Hours spent in every status the proposal went through (from its status events, in
    order; the current status counts until `now`). A status visited twice adds up."""
    moves = [e for e in events if e.to_status]
    # Each move is followed by the next one, the last by "now"; none at all (rows loaded in
    # bulk, without their history) means nothing to add up.
    followers: list[StatusMove | None] = [*moves[1:], None] if moves else []
    totals: dict[str, float] = {}
    for current, following in zip(moves, followers, strict=True):
        end = following.occurred_at if following is not None else (now or utcnow())
        hours = max(0.0, (end - current.occurred_at).total_seconds() / 3600)
        totals[current.to_status] = totals.get(current.to_status, 0.0) + hours  # type: ignore[arg-type,index]
    return [StatusStay(status, hours, limits_by_status.get(status)) for status, hours in totals.items()]


def breached_condition(limits_by_status: dict[str, int], now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition true for proposals over their status's limit."""
    now = now or utcnow()
    ranges = [
        and_(Proposal.status == status, Proposal.status_changed_at < now - timedelta(hours=hours))
        for status, hours in sorted(limits_by_status.items())
        if hours
    ]
    return or_(*ranges) if ranges else false()
