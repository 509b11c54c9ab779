"""Commission periods "aaaa-mm": open → closed, exactly once.

Closing takes the period with a conditional UPDATE (`… WHERE state = 'open'`): of two
finance users closing at once, one updates the row and goes on, the other's UPDATE waits
for that commit, matches no row and is told who closed it. Under that lock the close posts
the target-tier lines, snapshots each payee's totals and carries negative balances into
the next period. Later corrections post in the next open period (ledger.PostingRule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from portal.commissions import engine, ledger, tables
from portal.commissions import resolution as engine_rows
from portal.commissions.contracts import load_inputs, to_plan
from portal.commissions.ledger import Payee, check_period, next_month
from portal.commissions.models import (
    CARRY_KIND,
    CommissionPeriod,
    CommissionPlan,
    EntrySource,
    LedgerEntry,
    PeriodSnapshot,
    PeriodState,
    ProposalCommissionRef,
)
from portal.commissions.types import COMPANY, Line, LineKind
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import money_sum, utcnow
from portal.core.errors import Conflict, DomainError
from portal.core.money import format_brl
from portal.proposals.models import Proposal

ZERO = Decimal("0.00")


def get_period(session: Session, period: str) -> CommissionPeriod | None:
    return session.scalar(select(CommissionPeriod).where(CommissionPeriod.period == period))


def periods_list(session: Session) -> list[CommissionPeriod]:
    """Every period, newest first (the close page's list)."""
    return list(session.scalars(select(CommissionPeriod).order_by(CommissionPeriod.period.desc())))


def last_day(period: str) -> date:
    return date.fromisoformat(next_month(period) + "-01") - timedelta(days=1)


# ------------------------------------------------------------------ checklist


@dataclass(frozen=True)
class CloseChecklist:
    """What the close page shows before the button (informative; it does not block)."""

    period: str
    no_table: int  # contracts paid in the period with no table row
    ambiguous: int  # … or with two equally specific rows
    in_review: int  # proposals waiting for a person (needs_review)
    open_recalculations: int

    @property
    def clean(self) -> bool:
        return not (self.no_table or self.ambiguous or self.in_review or self.open_recalculations)


def checklist(session: Session, period: str) -> CloseChecklist:
    from portal.commissions.recalc import open_recalculations, paid_in

    period = check_period(period)
    problems: dict[str | None, int] = dict(
        session.execute(
            select(ProposalCommissionRef.problem, func.count())
            .where(
                ProposalCommissionRef.proposal_id.in_(paid_in(period)),
                ProposalCommissionRef.problem.is_not(None),
            )
            .group_by(ProposalCommissionRef.problem)
        )
        .tuples()
        .all()
    )
    in_review = session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.needs_review.is_(True))
    )
    return CloseChecklist(
        period=period,
        no_table=problems.get(LineKind.NO_TABLE.value, 0),
        ambiguous=problems.get(LineKind.AMBIGUOUS.value, 0),
        in_review=in_review or 0,
        open_recalculations=open_recalculations(session),
    )


# ------------------------------------------------------------------ close


@dataclass
class CloseResult:
    period: CommissionPeriod
    payees: int
    target_lines: int
    carried: int


def close_period(session: Session, actor: Actor, period: str) -> CloseResult:
    """Close `period` exactly once; a second closer gets a Conflict naming who closed it."""
    period = check_period(period)
    ledger.ensure_periods(session, [period])
    earlier = session.scalar(
        select(CommissionPeriod.period)
        .where(CommissionPeriod.period < period, CommissionPeriod.state == PeriodState.OPEN.value)
        .order_by(CommissionPeriod.period)
        .limit(1)
    )
    if earlier is not None:
        raise DomainError(f"Feche antes o período {earlier}: os períodos fecham em ordem.")
    now = utcnow()
    taken = session.execute(  # type: ignore[attr-defined]  # rowcount: a CursorResult typed as Result
        update(CommissionPeriod)
        .where(CommissionPeriod.period == period, CommissionPeriod.state == PeriodState.OPEN.value)
        .values(
            state=PeriodState.CLOSED.value,
            closed_at=now,
            closed_by_id=actor.id,
            closed_by_label=actor.label,
            version=CommissionPeriod.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    record = session.scalars(  # ensure_periods made the row: it exists, closed or not
        select(CommissionPeriod)
        .where(CommissionPeriod.period == period)
        .execution_options(populate_existing=True)
    ).one()
    if taken != 1:
        who = f" por {record.closed_by_label}" if record.closed_by_label else ""
        raise Conflict(f"O período {period} já foi fechado{who}. Recarregue a página.")
    batch = ledger.new_batch_id()
    targets = _post_targets(session, actor, period, batch)
    snapshots = _snapshot(session, record)
    carried = _carry(session, actor, period, snapshots, batch)
    session.flush()
    audit.record(
        session,
        actor,
        "commission_period.closed",
        f"commission_period:{period}",
        {"payees": len(snapshots), "targets": targets, "carried": carried},
    )
    return CloseResult(record, len(snapshots), targets, carried)


def _close_entry(line: Line, payee: Payee, period: str, batch: str, actor: Actor) -> dict:
    values = ledger.entry_values(
        line,
        rule=ledger.PostingRule(None),
        batch_id=batch,
        source=EntrySource.CLOSE,
        actor=actor,
        bank_code="",
        proposal_id=None,
        payee=payee,
    )
    values["posting_period"] = period
    return values


def _post_targets(session: Session, actor: Actor, period: str, batch: str) -> int:
    """Target-tier lines of every payee whose plan in force on the period's last day has tiers."""
    from portal.commissions.recalc import paid_in

    end = last_day(period)
    plans = [
        p
        for p in session.scalars(select(CommissionPlan).where(CommissionPlan.valid_from <= end))
        if p.tiers and (p.valid_to is None or p.valid_to >= end)
    ]
    if not plans:
        return 0
    proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(paid_in(period)))))
    inputs = load_inputs(session, proposals)
    index = engine_rows.index_rows(
        tables.approved_rows_on(
            session, {p.bank_code for p in proposals}, date.fromisoformat(period + "-01"), end
        )
    )
    production: dict[str, Decimal] = defaultdict(lambda: ZERO)
    ids: dict[str, tuple[int | None, int | None]] = {}
    for item in inputs:
        contract = item.contract
        found = engine.resolve_row(
            contract, index.get((contract.bank.casefold(), contract.product.casefold()), ())
        )
        _, base = engine_rows.contract_base(contract, found.row)
        for payee in contract.payees:
            production[payee] += base
        ids.update(item.payees)
    held = session.scalars(
        select(LedgerEntry).where(LedgerEntry.competence == period, LedgerEntry.kind == LineKind.PAYOUT.value)
    )
    payouts = [_as_line(e) for e in held]
    entries = []
    for record in plans:
        if record.collaborator_id is not None:
            key = next((k for k, v in ids.items() if v[0] == record.collaborator_id), None)
        else:
            key = next((k for k, v in ids.items() if v[1] == record.org_unit_id), None)
        if key is None:
            continue  # sold nothing this period
        plan = to_plan(record, key)
        for line in engine.target_lines(key, period, production[key], plan, payouts):
            entries.append(_close_entry(line, Payee(key, *ids[key]), period, batch, actor))
    ledger.append(session, entries, lock=False)
    return len(entries)


def _as_line(entry: LedgerEntry) -> Line:
    return Line(
        contract=entry.contract,
        payee=entry.payee,
        kind=LineKind(entry.kind),
        period=entry.competence,
        base=entry.base,
        percent=entry.percent,
        amount=entry.amount,
        explanation=entry.explanation,
        source_kind=LineKind(entry.source_kind) if entry.source_kind else None,
    )


def _snapshot(session: Session, record: CommissionPeriod) -> list[PeriodSnapshot]:
    """Each payee's totals of the period (entries posted in it), frozen in one insert."""
    amount = LedgerEntry.amount
    rows = session.execute(
        select(
            LedgerEntry.payee,
            func.max(LedgerEntry.collaborator_id),
            func.count(),
            money_sum(case((amount > ZERO, amount), else_=ZERO)),
            money_sum(case((amount < ZERO, amount), else_=ZERO)),
            money_sum(amount),
        )
        .where(LedgerEntry.posting_period == record.period)
        .group_by(LedgerEntry.payee)
        .order_by(LedgerEntry.payee)
    ).all()
    values = [
        {
            "period_id": record.id,
            "payee": payee,
            "collaborator_id": collaborator_id,
            "lines": lines,
            "credits": credits,
            "debits": debits,
            "total": total,
            "carried": total if total < 0 and payee != COMPANY else ZERO,
        }
        for payee, collaborator_id, lines, credits, debits, total in rows
    ]
    if values:
        session.execute(insert(PeriodSnapshot), values)
    return [PeriodSnapshot(**v) for v in values]


def _carry(session: Session, actor: Actor, period: str, snapshots: list[PeriodSnapshot], batch: str) -> int:
    """A payee's negative total moves to the next period: +X closes it here, −X opens there."""
    following = next_month(period)
    entries = []
    for snap in snapshots:
        if snap.carried >= 0:
            continue
        payee = Payee(snap.payee, snap.collaborator_id)
        for amount, at, text in (
            (
                -snap.carried,
                period,
                f"Saldo negativo de {format_brl(snap.carried)} transferido para {following}",
            ),
            (snap.carried, following, f"Saldo negativo de {format_brl(snap.carried)} vindo de {period}"),
        ):
            line = Line("", snap.payee, LineKind.PAYOUT, at, ZERO, None, amount, text)
            values = _close_entry(line, payee, at, batch, actor)
            values["kind"] = CARRY_KIND
            values["prior_period"] = at != period
            entries.append(values)
    ledger.append(session, entries, lock=False)
    return len(entries) // 2
