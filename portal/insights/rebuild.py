"""Recompute every insights rollup from the raw tables (`flask insights rebuild`), after
Core bulk loads that bypass the flush and append listeners, or to repair drift.

Set-based: one `INSERT ... SELECT ... GROUP BY` per table. On PostgreSQL the proposals
and ledger tables are share-locked meanwhile, so no write slips between the delete and
the insert.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, case, cast, delete, func, insert, inspect, literal, select
from sqlalchemy.orm import Session

from portal.commissions.models import LedgerEntry
from portal.commissions.types import COMPANY
from portal.insights.ledger_rollup import COMPANY_SIDE, INTERNAL_SIDE
from portal.insights.models import (
    AgentMonth,
    LedgerMonth,
    LedgerMonthBank,
    ProductionDay,
    ProductionDayBank,
    ProductionMonth,
    ProductionMonthBank,
)
from portal.proposals.listing import CLOSED_BUCKETS, OPEN_BUCKET
from portal.proposals.models import Proposal


@dataclass(frozen=True)
class Rebuilt:
    days: int
    months: int
    agents: int
    ledger: int


def _local_day(dialect: str):
    moment = func.coalesce(Proposal.submitted_at, Proposal.created_at)
    if dialect == "postgresql":
        return cast(func.timezone("America/Sao_Paulo", moment), Date)
    return func.date(moment, "-3 hours")  # SQLite: UTC text; São Paulo is UTC-3 since 2019


def _month(dialect: str):
    moment = func.coalesce(Proposal.submitted_at, Proposal.created_at)
    if dialect == "postgresql":
        return func.to_char(func.timezone("America/Sao_Paulo", moment), "YYYY-MM")
    return func.strftime("%Y-%m", moment, "-3 hours")


def _bucket():
    return case(
        *[
            (Proposal.status.in_(sorted(statuses)), literal(name))
            for name, statuses in CLOSED_BUCKETS.items()
        ],
        else_=literal(OPEN_BUCKET),
    )


def _sums():
    return (
        func.count(),
        func.coalesce(func.sum(Proposal.gross_amount), 0),
        func.coalesce(func.sum(func.coalesce(Proposal.net_amount, 0)), 0),
    )


def _count(session: Session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def rebuild_all(session: Session) -> Rebuilt:
    """Empty and refill every rollup; returns the row counts of the four it reports."""
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("LOCK TABLE proposals, commission_ledger IN SHARE MODE")
    # Migration 0018 runs this before 0023 creates the bank-grain tables (0023 fills them).
    bank_tables = inspect(connection).has_table(ProductionDayBank.__tablename__)
    for model in (ProductionDay, ProductionMonth, AgentMonth, LedgerMonth):
        connection.execute(delete(model))
    store = func.coalesce(Proposal.store_id, 0)
    team = func.coalesce(Proposal.team_id, 0)
    bucket = _bucket()
    dims = (Proposal.bank_code, Proposal.product, Proposal.agreement, store, team, bucket)
    names = ["bank_code", "product", "agreement", "store_id", "team_id", "bucket"]
    sums = ["proposals", "gross_amount", "net_amount"]
    day = _local_day(dialect)
    month = _month(dialect)
    connection.execute(
        insert(ProductionDay).from_select(
            ["day", *names, *sums], select(day, *dims, *_sums()).group_by(day, *dims)
        )
    )
    connection.execute(
        insert(ProductionMonth).from_select(
            ["month", *names, *sums], select(month, *dims, *_sums()).group_by(month, *dims)
        )
    )
    if bank_tables:
        for fine, coarse, period in (
            (ProductionDay, ProductionDayBank, "day"),
            (ProductionMonth, ProductionMonthBank, "month"),
        ):
            connection.execute(delete(coarse))
            key = (getattr(fine, period), fine.bank_code, fine.bucket)
            connection.execute(
                insert(coarse).from_select(
                    [period, "bank_code", "bucket", *sums],
                    select(
                        *key, func.sum(fine.proposals), func.sum(fine.gross_amount), func.sum(fine.net_amount)
                    ).group_by(*key),
                )
            )
    agent_dims = (month, Proposal.agent_id, store, team, bucket)
    connection.execute(
        insert(AgentMonth).from_select(
            ["month", "agent_id", "store_id", "team_id", "bucket", *sums],
            select(*agent_dims, *_sums()).group_by(*agent_dims),
        )
    )
    side = case((LedgerEntry.payee == COMPANY, literal(COMPANY_SIDE)), else_=literal(INTERNAL_SIDE))
    ledger_dims = (
        LedgerEntry.posting_period,
        LedgerEntry.bank_code,
        func.coalesce(Proposal.product, ""),
        func.coalesce(Proposal.agreement, ""),
        func.coalesce(Proposal.store_id, 0),
        func.coalesce(Proposal.team_id, 0),
        side,
        LedgerEntry.kind,
    )
    connection.execute(
        insert(LedgerMonth).from_select(
            [
                "month",
                "bank_code",
                "product",
                "agreement",
                "store_id",
                "team_id",
                "side",
                "kind",
                "entries",
                "amount",
            ],
            select(*ledger_dims, func.count(), func.coalesce(func.sum(LedgerEntry.amount), 0))
            .select_from(LedgerEntry)
            .outerjoin(Proposal, Proposal.id == LedgerEntry.proposal_id)
            .group_by(*ledger_dims),
        )
    )
    if bank_tables:
        connection.execute(delete(LedgerMonthBank))
        ledger_key = (LedgerMonth.month, LedgerMonth.bank_code, LedgerMonth.side, LedgerMonth.kind)
        connection.execute(
            insert(LedgerMonthBank).from_select(
                ["month", "bank_code", "side", "kind", "entries", "amount"],
                select(*ledger_key, func.sum(LedgerMonth.entries), func.sum(LedgerMonth.amount)).group_by(
                    *ledger_key
                ),
            )
        )
    return Rebuilt(
        _count(session, ProductionDay),
        _count(session, ProductionMonth),
        _count(session, AgentMonth),
        _count(session, LedgerMonth),
    )
