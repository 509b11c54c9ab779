"""Retention runs (LGPD console): a job that flags every client past the retention period
and, when asked, anonymises those flagged at least `grace_days` ago that no proposal or
contract still holds. Each run keeps its figures (`RetentionRun`) as the run history.

Lives in `proposals` because "past retention" depends on proposals and contracts
(`retention.active_since`, `retention.holds_on`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clients import privacy
from portal.clients.lgpd_models import RetentionRun
from portal.clients.models import Client, ClientStatus
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.formats import TIMEZONE
from portal.core.jobs import JobContext, JobResult, enqueue, job_kind
from portal.proposals import retention

KIND = "privacy.retention_run"
MAX_GRACE_DAYS = 365


def local_today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def start_run(session: Session, actor: Actor, years: int, anonymise: bool, grace_days: int) -> RetentionRun:
    """Record the run and enqueue its job (it runs after the caller commits)."""
    privacy.check_years(years)
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise DomainError(f"Carência entre 0 e {MAX_GRACE_DAYS} dias.", field="grace_days")
    run = RetentionRun(years=years, anonymise=anonymise, grace_days=grace_days, started_by_label=actor.label)
    session.add(run)
    session.flush()
    job = enqueue(session, KIND, actor, run_id=run.id)
    run.job_id = job.id
    session.flush()
    return run


def execute(
    session: Session, actor: Actor, run: RetentionRun, storage_dir: str, today: date, progress=None
) -> None:
    """Flag, then (if asked) anonymise what is due; fills the run's figures."""
    run.state = "running"
    run.flagged = retention.flag_inactive_clients(session, run.years, today, actor)
    if run.anonymise:
        cutoff = utcnow() - timedelta(days=run.grace_days)
        due = session.scalars(
            select(Client)
            .where(
                Client.status == ClientStatus.ACTIVE.value,
                Client.retention_flagged_at.is_not(None),
                Client.retention_flagged_at <= cutoff,
            )
            .order_by(Client.id)
        ).all()
        for done, client in enumerate(due, 1):
            try:
                retention.anonymise_client(session, actor, client, storage_dir, today)
            except DomainError:
                run.held += 1
            else:
                run.anonymised += 1
            if progress is not None:
                progress(done, len(due))
    run.state = "done"
    run.finished_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "privacy.retention_run",
        f"privacy_retention_run:{run.id}",
        {"flagged": run.flagged, "anonymised": run.anonymised, "held": run.held, "years": run.years},
    )


@job_kind(KIND, label="Rotina de retenção (LGPD)", max_attempts=1)
def retention_job(ctx: JobContext, run_id: int) -> JobResult:
    run = ctx.session.get(RetentionRun, run_id)
    if run is None:
        raise DomainError("Execução de retenção não encontrada.")
    ctx.report(0, None, "Marcando clientes sem atividade…")

    def progress(done: int, total: int) -> None:
        ctx.report(done, total, f"{done} de {total} clientes revistos")

    execute(ctx.session, ctx.actor, run, str(ctx.storage_dir), local_today(), progress)
    return JobResult(
        message=(
            f"{run.flagged} cliente(s) marcado(s), {run.anonymised} anonimizado(s), "
            f"{run.held} mantido(s) por proposta ou contrato."
        ),
        summary={"Marcados": run.flagged, "Anonimizados": run.anonymised, "Mantidos": run.held},
        link="/admin/privacy/retention/runs",
        link_label="Ver o histórico de execuções",
    )


def runs(session: Session, limit: int = 100) -> list[RetentionRun]:
    return list(session.scalars(select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit)))
