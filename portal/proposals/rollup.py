"""The board's rollups: proposals counted and summed per (status, day, agent, bank),
the same without the agent, and per (status, hour entered, bank) for the open statuses.

`proposal_status_rollup` holds, per key, how many proposals there are, their gross
amount and how many wait for review. The key is what the board scopes and filters on:
status, agent (scoping: an agent, supervisor or store manager sees only their
collaborators), bank and, for the finished statuses the board counts over the last 30
days only, the UTC day of the last move (`OPEN_DAY` for every other status). It holds
about one row per recent proposal, so the board reads it only for scoped users;
`proposal_status_bank_rollup` is the same without the agent (a few rows per day) for
the users who see everything. `proposal_status_hours` counts the proposals of each open
status per bank (and over all banks, `ALL_BANKS`) and UTC hour they entered it: the SLA
counts sum its buckets.

Maintenance happens in the same transaction as the write, with no caller to forget:
after every ORM flush `_after_flush` turns what changed on `Proposal` rows (created by
`create_proposal`, moved by `change_status`, flagged for review, deleted) into deltas
per key and applies them in ONE upsert (`INSERT ... ON CONFLICT DO UPDATE SET n = n +
excluded.n`, SQLite and PostgreSQL), in key order, so concurrent moves never lose an
increment and take the row locks in the same order. Paths that write proposals with Core
(demo data, the benchmark generator) call `rebuild_rollup` afterwards; so does
`flask --app wsgi rebuild-proposal-rollup`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, case, cast, delete, event, func, insert, literal, select
from sqlalchemy.orm import Session, UOWTransaction

from portal.proposals.flush_changes import changes, upsert_adding
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import (
    ProposalStatusBankRollup,
    ProposalStatusHour,
    ProposalStatusRollup,
)
from portal.proposals.statuses import Status

# Finished statuses: the board counts what finished in the last WINDOW_DAYS days.
WINDOWED = frozenset({Status.PAID.value, Status.REFUSED.value, Status.CANCELLED.value})
WINDOW_DAYS = 30
# The day of every key whose status is not windowed: after every real day, so the board's
# figures are one range of the primary key (day, status, agent, bank): day >= window start.
OPEN_DAY = date(9999, 12, 31)
TABLE = ProposalStatusRollup.__table__
KEY = ("day", "status", "agent_id", "bank_code")
SUMS = ("proposals", "gross_amount", "needs_review")
TRACKED = ("status", "status_changed_at", "agent_id", "bank_code", "gross_amount", "needs_review")
BANK_TABLE = ProposalStatusBankRollup.__table__
BANK_KEY = ("day", "status", "bank_code")
HOUR_TABLE = ProposalStatusHour.__table__
HOUR_KEY = ("status", "bank_code", "hour")
# The hour buckets' bank for the total over every bank (no real bank code is "*"): the
# unfiltered board reads one row per hour, a bank filter that bank's rows.
ALL_BANKS = "*"

Key = tuple[date, str, int, str]
BankKey = tuple[date, str, str]
HourKey = tuple[str, str, datetime]


def day_of(status: str, changed_at: datetime | None) -> date:
    if status not in WINDOWED:
        return OPEN_DAY
    return (changed_at or datetime.now(UTC)).astimezone(UTC).date()


def hour_of(changed_at: datetime | None) -> datetime:
    """The UTC hour a move falls in (its bucket in `proposal_status_hours`)."""
    moment = (changed_at or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def window_start(now: datetime) -> datetime:
    """Start of the finished columns' window: UTC midnight WINDOW_DAYS days ago (whole
    days, so the rollup's day buckets and the cards' range agree)."""
    return datetime.combine((now.astimezone(UTC) - timedelta(days=WINDOW_DAYS)).date(), time.min, UTC)


# ------------------------------------------------------------------ maintenance


def _share(values: dict[str, Any]) -> tuple[Key, Decimal, int]:
    key = (
        day_of(values["status"], values["status_changed_at"]),
        values["status"],
        values["agent_id"],
        values["bank_code"],
    )
    return key, Decimal(values["gross_amount"] or 0), 1 if values["needs_review"] else 0


def deltas_of(new: Iterable[Any], dirty: Iterable[Any], deleted: Iterable[Any]) -> dict[Key, list]:
    """key → [proposals, gross amount, needs review] to add, from the session's changes."""
    deltas: dict[Key, list] = {}

    def add(values: dict[str, Any], sign: int) -> None:
        key, gross, review = _share(values)
        entry = deltas.setdefault(key, [0, Decimal("0.00"), 0])
        entry[0] += sign
        entry[1] += sign * gross
        entry[2] += sign * review

    for values, sign in changes(new, dirty, deleted, TRACKED):
        add(values, sign)
    return {k: v for k, v in deltas.items() if any(v)}


def bank_and_hour_deltas(
    new: Iterable[Any], dirty: Iterable[Any], deleted: Iterable[Any]
) -> tuple[dict[BankKey, list], dict[HourKey, int]]:
    """The agent-free rollup's deltas and the open statuses' hour-bucket deltas."""
    bank: dict[BankKey, list] = {}
    hours: dict[HourKey, int] = {}
    for values, sign in changes(new, dirty, deleted, TRACKED):
        (day, status, _agent, bank_code), gross, review = _share(values)
        entry = bank.setdefault((day, status, bank_code), [0, Decimal("0.00"), 0])
        entry[0] += sign
        entry[1] += sign * gross
        entry[2] += sign * review
        if status not in WINDOWED:
            hour = hour_of(values["status_changed_at"])
            for key in ((status, bank_code, hour), (status, ALL_BANKS, hour)):
                hours[key] = hours.get(key, 0) + sign
    return {k: v for k, v in bank.items() if any(v)}, {k: n for k, n in hours.items() if n}


def apply_bank_and_hour_deltas(
    connection: Connection, bank: dict[BankKey, list], hours: dict[HourKey, int]
) -> None:
    """One upsert per table, keys in order (as `apply_deltas`)."""
    bank_rows = [
        dict(zip(BANK_KEY, key, strict=True), proposals=n, gross_amount=gross, needs_review=review)
        for key, (n, gross, review) in sorted(bank.items())
    ]
    upsert_adding(connection, BANK_TABLE, BANK_KEY, SUMS, bank_rows)  # type: ignore[arg-type]
    hour_rows = [dict(zip(HOUR_KEY, key, strict=True), proposals=n) for key, n in sorted(hours.items())]
    upsert_adding(connection, HOUR_TABLE, HOUR_KEY, ("proposals",), hour_rows)  # type: ignore[arg-type]


def apply_deltas(connection: Connection, deltas: dict[Key, list]) -> None:
    """One upsert adding each delta to its row (created at zero when missing), keys in
    order. Dialect-specific `on_conflict_do_update`: SQLite and PostgreSQL."""
    if not deltas:
        return
    rows = [
        dict(zip(KEY, key, strict=True), proposals=n, gross_amount=gross, needs_review=review)
        for key, (n, gross, review) in sorted(deltas.items())
    ]
    upsert_adding(connection, TABLE, KEY, SUMS, rows)  # type: ignore[arg-type]


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # New/dirty/deleted and attribute history still show what this flush wrote.
    deltas = deltas_of(session.new, session.dirty, session.deleted)
    if deltas:
        apply_deltas(session.connection(), deltas)
    # Separate: a move inside the same day changes an hour bucket, not the day rollups.
    bank, hours = bank_and_hour_deltas(session.new, session.dirty, session.deleted)
    if bank or hours:
        apply_bank_and_hour_deltas(session.connection(), bank, hours)


def _keep_old_value(*_args: Any) -> None:
    """No-op listener: `active_history` makes a set load the old value first, so a change
    to an expired attribute still knows which rollup row to take the proposal from."""


for _name in TRACKED:
    event.listen(getattr(Proposal, _name), "set", _keep_old_value, active_history=True)


# ------------------------------------------------------------------ rebuild


def _day_sql(dialect: str):
    if dialect == "postgresql":
        day = cast(func.timezone("UTC", Proposal.status_changed_at), Date)
    else:  # SQLite keeps the UTC wall time as text
        day = func.date(Proposal.status_changed_at)  # type: ignore[assignment]
    return case((Proposal.status.in_(sorted(WINDOWED)), day), else_=literal(OPEN_DAY, Date))


def rebuild_rollup(session: Session) -> int:
    """Recompute the rollup from the proposals table (after Core bulk inserts); returns
    how many rows it has. On PostgreSQL proposal writers wait for it (SHARE lock)."""
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("LOCK TABLE proposals IN SHARE MODE")
    connection.execute(delete(TABLE))  # type: ignore[arg-type]
    day = _day_sql(dialect)
    grouped = select(
        day,
        Proposal.status,
        Proposal.agent_id,
        Proposal.bank_code,
        func.count(),
        func.coalesce(func.sum(Proposal.gross_amount), 0),
        func.coalesce(func.sum(case((Proposal.needs_review.is_(True), 1), else_=0)), 0),
    ).group_by(day, Proposal.status, Proposal.agent_id, Proposal.bank_code)
    # Written in key order: the rows the board reads (recent days, then the open statuses'
    # OPEN_DAY) end up together at the end of the table, as later upserts append them.
    grouped = grouped.order_by(day, Proposal.status, Proposal.agent_id, Proposal.bank_code)
    connection.execute(insert(TABLE).from_select([*KEY, *SUMS], grouped))  # type: ignore[arg-type]
    _rebuild_bank_and_hours(connection, dialect)
    return connection.execute(select(func.count()).select_from(TABLE)).scalar_one()


def _hour_sql(dialect: str):
    if dialect == "postgresql":
        return func.date_trunc("hour", Proposal.status_changed_at, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00.000000", Proposal.status_changed_at)  # SQLite: UTC text


def _rebuild_bank_and_hours(connection: Connection, dialect: str) -> None:
    """The agent-free rollup is the agent rollup summed over the agents; the hour buckets
    group the open statuses' proposals by bank (and over all banks) and the UTC hour they
    entered their status."""
    connection.execute(delete(BANK_TABLE))  # type: ignore[arg-type]
    agent = TABLE.c
    by_bank = (
        select(agent.day, agent.status, agent.bank_code, *(func.sum(agent[name]) for name in SUMS))
        .group_by(agent.day, agent.status, agent.bank_code)
        .order_by(agent.day, agent.status, agent.bank_code)
    )
    connection.execute(insert(BANK_TABLE).from_select([*BANK_KEY, *SUMS], by_bank))  # type: ignore[arg-type]
    connection.execute(delete(HOUR_TABLE))  # type: ignore[arg-type]
    hour = _hour_sql(dialect)
    open_statuses = Proposal.status.not_in(sorted(WINDOWED))
    by_bank_hour = (
        select(Proposal.status, Proposal.bank_code, hour, func.count())
        .where(open_statuses)
        .group_by(Proposal.status, Proposal.bank_code, hour)
    )
    all_banks = (
        select(Proposal.status, literal(ALL_BANKS), hour, func.count())
        .where(open_statuses)
        .group_by(Proposal.status, hour)
    )
    for grouped_hours in (by_bank_hour, all_banks):
        connection.execute(insert(HOUR_TABLE).from_select([*HOUR_KEY, "proposals"], grouped_hours))  # type: ignore[arg-type]
