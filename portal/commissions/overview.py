"""Reads the finance pages need beyond the ledger queries: the landing's key numbers,
closed periods' snapshots, the "sem tabela" list paged by keyset, the plans list with
payee names. Each is one or two SELECTs, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.models import (
    CommissionPeriod,
    CommissionPlan,
    LedgerEntry,
    PeriodSnapshot,
    PeriodState,
    ProposalCommissionRef,
)
from portal.commissions.queries import no_table_query
from portal.core.pagination import Page, decode_cursor, encode_cursor
from portal.people.models import Collaborator, OrgUnit, User
from portal.proposals.models import Proposal


@dataclass(frozen=True)
class Overview:
    """The finance landing's numbers: the open period and what needs attention."""

    open_period: str | None
    lines_in_period: int
    no_table: int
    ambiguous: int


def open_period(session: Session) -> str | None:
    """The period finance is working on: the oldest open one (periods close in order)."""
    return session.scalar(
        select(func.min(CommissionPeriod.period)).where(CommissionPeriod.state == PeriodState.OPEN.value)
    )


def overview(session: Session) -> Overview:
    period = open_period(session)
    lines = 0
    if period is not None:
        lines = (
            session.scalar(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.posting_period == period)
            )
            or 0
        )
    problems: dict[str | None, int] = dict(
        session.execute(
            select(ProposalCommissionRef.problem, func.count())
            .where(ProposalCommissionRef.problem.is_not(None))
            .group_by(ProposalCommissionRef.problem)
        )
        .tuples()
        .all()
    )
    return Overview(period, lines, problems.get("sem_tabela", 0), problems.get("tabela_ambigua", 0))


def snapshots_by_period(session: Session, period_ids: Sequence[int]) -> dict[int, list[PeriodSnapshot]]:
    """The frozen per-payee totals of the given periods, in one query."""
    out: dict[int, list[PeriodSnapshot]] = {pid: [] for pid in period_ids}
    if not period_ids:
        return out
    stmt = (
        select(PeriodSnapshot)
        .where(PeriodSnapshot.period_id.in_(list(period_ids)))
        .order_by(PeriodSnapshot.period_id, PeriodSnapshot.payee)
    )
    for snap in session.scalars(stmt):
        out[snap.period_id].append(snap)
    return out


def no_table_page(
    session: Session, user: User, problem: str = "", cursor: str | None = None, per_page: int = 50
) -> Page[tuple[Proposal, ProposalCommissionRef]]:
    """One page of the "sem tabela" list, newest proposal first (keyset on the id)."""
    stmt = no_table_query(session, user, problem).order_by(None)
    after = decode_cursor(cursor)
    if after and isinstance(after[0], int):
        stmt = stmt.where(Proposal.id < after[0])
    rows = [tuple(r) for r in session.execute(stmt.order_by(Proposal.id.desc()).limit(per_page + 1))]
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(items=rows, next_cursor=encode_cursor([rows[-1][0].id]) if more and rows else None)


@dataclass(frozen=True)
class PlanRow:
    plan: CommissionPlan
    payee_name: str
    payee_kind: str  # "Colaborador" | "Substabelecido"


def plans_listing(session: Session) -> list[PlanRow]:
    """Every plan with its payee's name, grouped by payee, newest version first
    (tiers come with `selectin`: one more query for all of them)."""
    stmt = (
        select(CommissionPlan, Collaborator.name, OrgUnit.name)
        .outerjoin(Collaborator, Collaborator.id == CommissionPlan.collaborator_id)
        .outerjoin(OrgUnit, OrgUnit.id == CommissionPlan.org_unit_id)
        .order_by(
            func.coalesce(Collaborator.name, OrgUnit.name),
            CommissionPlan.basis,
            CommissionPlan.valid_from.desc(),
        )
    )
    return [
        PlanRow(plan, person or unit or "—", "Colaborador" if plan.collaborator_id else "Substabelecido")
        for plan, person, unit in session.execute(stmt)
    ]
