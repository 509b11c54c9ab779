"""Appending to the ledger: where an entry posts, bulk inserts, sums per line key.

Entries are only ever inserted (the database refuses UPDATE and DELETE). A line whose
competência falls in a closed period posts in the first open period after it, flagged
`prior_period`; periods close in order, so that is simply the month after the latest
closed one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from portal.commissions import bulk
from portal.commissions.models import (
    ADJUSTMENT_KIND,
    CommissionPeriod,
    EntrySource,
    LedgerEntry,
    PeriodState,
)
from portal.commissions.types import Line
from portal.core.audit import Actor
from portal.core.db import money_sum, utcnow

# Sources whose entries recalculation compares with the engine (manual entries and what
# the close posts are decisions, not computations, and are left alone).
COMPUTED_SOURCES = (EntrySource.ENGINE.value, EntrySource.RECALC.value, EntrySource.IMPORT.value)
Key = tuple[str, str, str, str, str]
COPY_FROM = 1000  # rows from which COPY beats an INSERT (a recalculation, not one proposal)

# Listeners of appended rows, for the layers above (insights keeps its ledger rollup with
# them): `listener(session, rows)` runs after the rows are inserted, in the same transaction.
AppendListener = Callable[[Session, Sequence[dict[str, Any]]], None]
_append_listeners: list[AppendListener] = []


def on_append(listener: AppendListener) -> AppendListener:
    """Register `listener(session, rows)` once; `append` calls it after every insert."""
    if listener not in _append_listeners:
        _append_listeners.append(listener)
    return listener


def _notify(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for listener in list(_append_listeners):
        listener(session, rows)


def new_batch_id() -> str:
    return uuid.uuid4().hex


def next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def check_period(text: str) -> str:
    """ "aaaa-mm" or a DomainError in Portuguese."""
    from portal.core.errors import DomainError

    value = (text or "").strip()
    if (
        len(value) != 7
        or value[4] != "-"
        or not (value[:4] + value[5:]).isdigit()
        or not 1 <= int(value[5:]) <= 12
    ):
        raise DomainError("Período inválido: use aaaa-mm (ex.: 2026-03).", field="period")
    return value


def latest_closed(session: Session) -> str | None:
    return session.scalar(
        select(func.max(CommissionPeriod.period)).where(CommissionPeriod.state == PeriodState.CLOSED.value)
    )


@dataclass(frozen=True)
class PostingRule:
    """Where a competência posts, given the latest closed period (read once per batch)."""

    closed_through: str | None

    def posting(self, competence: str) -> tuple[str, bool]:
        if self.closed_through is None or competence > self.closed_through:
            return competence, False
        return next_month(self.closed_through), True


def posting_rule(session: Session) -> PostingRule:
    return PostingRule(latest_closed(session))


@dataclass(frozen=True)
class Payee:
    key: str
    collaborator_id: int | None = None
    org_unit_id: int | None = None


def entry_values(
    line: Line,
    *,
    rule: PostingRule,
    batch_id: str,
    source: EntrySource,
    actor: Actor,
    bank_code: str,
    proposal_id: int | None,
    payee: Payee,
    amount: Decimal | None = None,
    explanation: str | None = None,
    reason: str | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """One ledger row as a dict for a bulk insert (`amount` overrides the line's;
    `created_at` lets a batch share one moment)."""
    posting, prior = rule.posting(line.period)
    row = line.row
    return {
        "batch_id": batch_id,
        "contract": line.contract,
        "proposal_id": proposal_id,
        "bank_code": bank_code,
        "payee": line.payee,
        "collaborator_id": payee.collaborator_id,
        "org_unit_id": payee.org_unit_id,
        "kind": line.kind.value,
        "source_kind": line.source_kind.value if line.source_kind else None,
        "competence": line.period,
        "posting_period": posting,
        "prior_period": prior,
        "base": line.base,
        "percent": line.percent,
        "amount": line.amount if amount is None else amount,
        "explanation": (explanation or line.explanation)[:500],
        "source": source.value,
        "reason": (reason or None) and reason[:500],
        "author_id": actor.id,
        "author_label": actor.label,
        "table_version_id": row.version_id if row is not None else None,
        "table_row_id": row.row_id if row is not None else None,
        "created_at": created_at or utcnow(),
    }


def _lock_open_periods(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Share-lock the periods the rows post into, so a concurrent close waits for this
    transaction (and its snapshot then sees these rows). A period closed meanwhile moves
    its rows to the open one (the close committed first; re-read the rule)."""
    for _attempt in range(3):
        wanted = sorted({r["posting_period"] for r in rows})
        ensure_periods(session, wanted)
        states = session.execute(
            select(CommissionPeriod.period, CommissionPeriod.state)
            .where(CommissionPeriod.period.in_(wanted))
            .with_for_update(read=True)
        ).all()
        closed = {period for period, state in states if state == PeriodState.CLOSED.value}
        if not closed:
            return
        rule = posting_rule(session)
        for row in rows:
            if row["posting_period"] in closed:
                row["posting_period"], row["prior_period"] = rule.posting(row["competence"])
    raise RuntimeError("commission periods keep closing under this posting")


def append(session: Session, rows: Sequence[dict[str, Any]], chunk: int = 5000, *, lock: bool = True) -> int:
    """Bulk-insert ledger rows into open periods: COPY on PostgreSQL for large batches,
    else multi-row INSERTs in chunks.

    `lock=False` only for the close itself, which posts into the period it is closing."""
    if not rows:
        return 0
    if lock:
        _lock_open_periods(session, rows)
    else:
        ensure_periods(session, {r["posting_period"] for r in rows})
    if len(rows) >= COPY_FROM and bulk.can_copy(session):
        bulk.copy_rows(session, LedgerEntry.__table__, rows)  # type: ignore[arg-type]
    else:
        for start in range(0, len(rows), chunk):
            # Core insert on the table: one multi-row INSERT per page, no RETURNING of ids.
            session.execute(insert(LedgerEntry.__table__), list(rows[start : start + chunk]))  # type: ignore[arg-type]
    _notify(session, rows)
    return len(rows)


def ensure_periods(session: Session, periods: Iterable[str]) -> None:
    """Create missing periods as open (INSERT … ON CONFLICT DO NOTHING: safe when two
    transactions post into a new month at once)."""
    wanted = sorted(set(periods))
    if not wanted:
        return
    existing = set(
        session.scalars(select(CommissionPeriod.period).where(CommissionPeriod.period.in_(wanted)))
    )
    missing = [p for p in wanted if p not in existing]
    if not missing:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    now = utcnow()
    stmt = upsert(CommissionPeriod).on_conflict_do_nothing(index_elements=["period"])
    session.execute(
        stmt,
        [{"period": p, "state": PeriodState.OPEN.value, "version": 1, "opened_at": now} for p in missing],
    )


def append_adjustment(
    session: Session,
    actor: Actor,
    line: Line,
    *,
    source: EntrySource,
    bank_code: str,
    payee: Payee,
    reason: str,
    source_kind: str | None = None,
) -> LedgerEntry:
    """Append `line` alone, as an adjustment with its reason, and return the stored entry
    (`source_kind`: the component it corrects, when known)."""
    values = entry_values(
        line,
        rule=posting_rule(session),
        batch_id=new_batch_id(),
        source=source,
        actor=actor,
        bank_code=bank_code,
        proposal_id=None,
        payee=payee,
        reason=reason,
    )
    values["kind"] = ADJUSTMENT_KIND
    if source_kind is not None:
        values["source_kind"] = source_kind
    append(session, [values])
    return session.scalars(select(LedgerEntry).where(LedgerEntry.batch_id == values["batch_id"])).one()


def sums_by_key(session: Session, proposal_filter: Select | Sequence[int]) -> dict[int, dict[Key, Decimal]]:
    """What the ledger holds per proposal and line key (computed sources only).

    `proposal_filter` is a SELECT of proposal ids (set-based, for a month) or a list."""
    keys = (
        LedgerEntry.proposal_id,
        LedgerEntry.contract,
        LedgerEntry.payee,
        LedgerEntry.kind,
        LedgerEntry.competence,
        func.coalesce(LedgerEntry.source_kind, ""),
    )
    stmt = (
        select(*keys, money_sum(LedgerEntry.amount))
        .where(LedgerEntry.source.in_(COMPUTED_SOURCES), LedgerEntry.proposal_id.in_(proposal_filter))
        .group_by(*keys)
    )
    out: dict[int, dict[Key, Decimal]] = {}
    for proposal_id, contract, payee, kind, competence, source_kind, total in session.execute(stmt):
        out.setdefault(proposal_id, {})[(contract, payee, kind, competence, source_kind)] = total
    return out
