"""Recalculation of a month's paid contracts after a table or plan correction.

Compares what the ledger holds with what the engine says now (`posting.sync`) and appends
only the differences, with the reason; a second run appends nothing. Set-based: the
month's proposals in one query, the ledger's sums in one grouped query, one bulk insert.
Runs as a job with a progress bar (`KIND`) or from `flask --app wsgi commissions recalc`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.commissions import posting
from portal.commissions.contracts import LOCAL_TZ
from portal.commissions.ledger import check_period, next_month
from portal.commissions.models import EntrySource
from portal.core import audit
from portal.core.audit import Actor
from portal.core.jobs import JobContext, JobResult, job_kind
from portal.core.jobs.models import Job, JobStatus
from portal.core.money import format_brl
from portal.proposals.models import Proposal

KIND = "commissions.recalc"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """The Brazilian month `period` as a UTC [start, end) range of moments."""

    def start_of(value: str) -> datetime:
        local = datetime.combine(datetime.strptime(value + "-01", "%Y-%m-%d").date(), time.min, LOCAL_TZ)
        return local.astimezone(UTC)

    return start_of(period), start_of(next_month(period))


def paid_in(period: str) -> Select:
    """Ids of the proposals paid in `period` (the contracts a month's recalculation covers)."""
    start, end = month_bounds(period)
    return select(Proposal.id).where(Proposal.paid_at >= start, Proposal.paid_at < end)


def recalculate(
    session: Session, actor: Actor, period: str, reason: str = "", progress=None
) -> posting.SyncResult:
    """Append the differences for every contract paid in `period`; flushes, never commits."""
    period = check_period(period)
    reason = " ".join((reason or "").split())[:500] or f"Recálculo do período {period}"
    ids = paid_in(period)
    proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id)))
    if progress is not None:
        progress(0, len(proposals))
    result = posting.sync(
        session,
        actor,
        proposals,
        source=EntrySource.RECALC,
        reason=reason,
        held_filter=ids,
        progress=progress,
    )
    audit.record(
        session,
        actor,
        "commission.recalc",
        f"commission_period:{period}",
        {
            "contracts": result.contracts,
            "entries": result.entries,
            "total": str(result.total),
            "reason": reason,
        },
    )
    return result


def open_recalculations(session: Session) -> int:
    """Recalculation jobs queued or running (the period close checklist shows them)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == KIND, Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
        )
        or 0
    )


def summary(result: posting.SyncResult) -> str:
    if not result.entries:
        return f"{result.contracts} contrato(s) conferido(s): nenhuma diferença, nada lançado."
    return (
        f"{result.contracts} contrato(s) conferido(s): {result.entries} lançamento(s) de diferença, "
        f"total {format_brl(result.total)}."
    )


@job_kind(KIND, label="Recalcular comissões do período", max_attempts=1)
def recalc_job(ctx: JobContext, period: str, reason: str = "") -> JobResult:
    ctx.report(0, None, f"Carregando os contratos pagos em {period}…")

    def progress(done: int, total: int) -> None:
        ctx.report(done, total, f"{done} de {total} contratos conferidos")
        ctx.check_cancelled()

    result = recalculate(ctx.session, ctx.actor, period, reason, progress)
    return JobResult(
        message=summary(result),
        summary={
            "Contratos": result.contracts,
            "Lançamentos": result.entries,
            "Total": format_brl(result.total),
        },
        link=f"/finance/commissions/ledger?period={period}",
        link_label="Ver o razão do período",
    )
