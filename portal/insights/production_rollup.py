"""Production rollups kept in the same transaction as every proposal write.

After each ORM flush, what changed on `Proposal` rows (created, moved, edited, deleted)
becomes deltas per key of the production tables (`insights.models`; the bank-grain ones from the
day and month deltas), applied as
one upsert per table (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, keys in
order), exactly like the board's rollup (`portal.proposals.rollup`). Writers that use
Core bulk inserts (demo data, benchmark generators) run `rebuild.rebuild_all` after.

The day is the São Paulo calendar day of `submitted_at` (or `created_at` when a proposal
was never submitted): the same day the proposals list filters on, so a figure's link
lists exactly the proposals it counts. Brazil has had no daylight saving time since 2019;
SQLite, which has no time zones, rebuilds with a fixed -3 h.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, event
from sqlalchemy.orm import Session, UOWTransaction

from portal.insights.models import (
    AgentMonth,
    ProductionDay,
    ProductionDayBank,
    ProductionMonth,
    ProductionMonthBank,
)
from portal.proposals.flush_changes import changes, upsert_adding
from portal.proposals.listing import BUCKETS, CLOSED_BUCKETS, OPEN_BUCKET, bucket_of
from portal.proposals.models import Proposal

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")

# Status buckets (defined with the proposals list's filter, so a figure's link lists
# exactly what it counts).
__all__ = ["BUCKETS", "CLOSED_BUCKETS", "OPEN_BUCKET", "bucket_of", "register"]
BUCKET_LABELS = {"open": "Em andamento", "paid": "Pagas", "cancelled": "Canceladas", "refused": "Reprovadas"}

TRACKED = (
    "status",
    "submitted_at",
    "created_at",
    "bank_code",
    "product",
    "agreement",
    "store_id",
    "team_id",
    "agent_id",
    "gross_amount",
    "net_amount",
)
SUMS = ("proposals", "gross_amount", "net_amount")
DAY_KEY = ("day", "bank_code", "product", "agreement", "store_id", "team_id", "bucket")
MONTH_KEY = ("month", "bank_code", "product", "agreement", "store_id", "team_id", "bucket")
AGENT_KEY = ("month", "agent_id", "store_id", "team_id", "bucket")
DAY_BANK_KEY = ("day", "bank_code", "bucket")
MONTH_BANK_KEY = ("month", "bank_code", "bucket")

Deltas = dict[tuple, list]


def local_day(moment: datetime | None) -> date:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def _keys(values: dict[str, Any]) -> tuple[tuple, tuple, tuple]:
    day = local_day(values["submitted_at"] or values["created_at"])
    month = day.isoformat()[:7]
    bucket = bucket_of(values["status"])
    dims = (
        values["bank_code"],
        values["product"],
        values["agreement"],
        values["store_id"] or 0,
        values["team_id"] or 0,
        bucket,
    )
    agent = (month, values["agent_id"], values["store_id"] or 0, values["team_id"] or 0, bucket)
    return (day, *dims), (month, *dims), agent


def deltas_of(
    new: Iterable[Any], dirty: Iterable[Any], deleted: Iterable[Any]
) -> tuple[Deltas, Deltas, Deltas]:
    """(day, month, agent) key → [proposals, gross, net] to add, from a session's changes."""
    days: Deltas = {}
    months: Deltas = {}
    agents: Deltas = {}

    def add(values: dict[str, Any], sign: int) -> None:
        gross = sign * Decimal(values["gross_amount"] or 0)
        net = sign * Decimal(values["net_amount"] or 0)
        for table, key in zip((days, months, agents), _keys(values), strict=True):
            entry = table.setdefault(key, [0, Decimal("0.00"), Decimal("0.00")])
            entry[0] += sign
            entry[1] += gross
            entry[2] += net

    for values, sign in changes(new, dirty, deleted, TRACKED):
        add(values, sign)
    return tuple({k: v for k, v in d.items() if any(v)} for d in (days, months, agents))  # type: ignore[return-value]


def upsert_deltas(
    connection: Connection, table: Table, key: tuple[str, ...], sums: tuple[str, ...], deltas: Deltas
) -> None:
    """One upsert adding each delta to its row (created at zero when missing), keys in order."""
    rows = [
        dict(zip(key, k, strict=True), **dict(zip(sums, v, strict=True)))
        for k, v in sorted(deltas.items(), key=lambda item: tuple(str(part) for part in item[0]))
    ]
    upsert_adding(connection, table, key, sums, rows)


def bank_deltas(deltas: Deltas) -> Deltas:
    """Day or month deltas added up per (day or month, bank, bucket)."""
    out: Deltas = {}
    for (period, bank, _product, _agreement, _store, _team, bucket), values in deltas.items():
        entry = out.setdefault((period, bank, bucket), [0, Decimal("0.00"), Decimal("0.00")])
        for index, value in enumerate(values):
            entry[index] += value
    return {k: v for k, v in out.items() if any(v)}


def apply(connection: Connection, deltas: tuple[Deltas, Deltas, Deltas]) -> None:
    days, months, agents = deltas
    upsert_deltas(connection, ProductionDay.__table__, DAY_KEY, SUMS, days)  # type: ignore[arg-type]
    upsert_deltas(
        connection,
        ProductionDayBank.__table__,  # type: ignore[arg-type]
        DAY_BANK_KEY,
        SUMS,
        bank_deltas(days),
    )
    upsert_deltas(
        connection,
        ProductionMonthBank.__table__,  # type: ignore[arg-type]
        MONTH_BANK_KEY,
        SUMS,
        bank_deltas(months),
    )
    upsert_deltas(connection, ProductionMonth.__table__, MONTH_KEY, SUMS, months)  # type: ignore[arg-type]
    upsert_deltas(connection, AgentMonth.__table__, AGENT_KEY, SUMS, agents)  # type: ignore[arg-type]


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    deltas = deltas_of(session.new, session.dirty, session.deleted)
    if any(deltas):
        apply(session.connection(), deltas)


def _keep_old_value(*_args: Any) -> None:
    """No-op: `active_history` loads the old value before a set, so a change to an
    expired attribute still knows which rollup row to take the proposal from."""


def register() -> None:
    """Listen to every session's flushes (idempotent; called by `create_app`)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    for name in TRACKED:
        attribute = getattr(Proposal, name)
        if not event.contains(attribute, "set", _keep_old_value):
            event.listen(attribute, "set", _keep_old_value, active_history=True)
