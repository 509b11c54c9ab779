"""Backup jobs: "Fazer backup agora" from the admin page, and the scheduled one, which
checks every hour and backs up when the last good backup is older than 23 h, then
verifies it and applies the retention policy."""

from __future__ import annotations

from portal.core.backups import runs
from portal.core.backups.recovery import verify_backup
from portal.core.backups.restic import ResticError
from portal.core.backups.service import (
    CreateOutcome,
    apply_retention,
    create_backup,
    new_backup_id,
)
from portal.core.backups.settings import get_settings, mask_location
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.jobs import JobContext, JobResult, job_kind, periodic

CREATE_KIND = "backups.create"
SCHEDULED_KIND = "backups.scheduled"
CHECK_EVERY_SECONDS = 3600
LINK = "/admin/backups"


def run_backup(ctx: JobContext, *, retention: bool) -> JobResult:
    """Create, record, verify and (optionally) prune; every write in its own short step."""
    settings = get_settings()
    started = utcnow()
    ctx.report(0, 3, "Copiando o banco e os arquivos…")
    try:
        outcome: CreateOutcome = create_backup(settings, settings.database_url, started)
    except DomainError as error:
        message = error.message
        shown = [mask_location(location) for location in settings.repositories] or ["(nenhum)"]
        ctx.step(lambda: runs.record_failure(ctx.session, new_backup_id(started), shown, message, utcnow()))
        return JobResult(message=f"Backup falhou: {message}", link=LINK, link_label="Ver backups")
    ctx.step(lambda: runs.record_create(ctx.session, outcome, utcnow(), ctx.actor))
    failed = [result for result in outcome.results if not result.ok]
    ctx.report(1, 3, "Verificando o backup…")
    verified = verify_backup(settings, outcome.backup_id)
    ctx.step(lambda: runs.record_verification(ctx.session, outcome.backup_id, verified, utcnow()))
    removed = 0
    if retention and outcome.ok:
        ctx.report(2, 3, "Aplicando a política de retenção…")
        try:
            gone = apply_retention(settings)
            removed = ctx.step(lambda: runs.record_removed(ctx.session, gone))
        except ResticError as error:
            message = f"Backup {outcome.backup_id} feito; retenção falhou: {error.message}"
            return JobResult(message=message, link=LINK, link_label="Ver backups")
    ctx.report(3, 3, "Concluído.")
    summary = {
        "Backup": outcome.backup_id,
        "Tabelas": len(outcome.manifest.tables),
        "Linhas": outcome.manifest.total_rows,
        "Repositórios com sucesso": sum(result.ok for result in outcome.results),
        "Repositórios com falha": len(failed),
        "Verificação": "ok" if all(v.ok for v in verified) else "falhou",
    }
    if retention:
        summary["Registros removidos pela retenção"] = removed
    if failed:
        detail = "; ".join(f"{result.location}: {result.message}" for result in failed)
        message = f"Backup {outcome.backup_id} com falha em: {detail}"
        return JobResult(message=message, summary=summary, link=LINK, link_label="Ver backups")
    message = f"Backup {outcome.backup_id} concluído."
    return JobResult(message=message, summary=summary, link=LINK, link_label="Ver backups")


@job_kind(CREATE_KIND, label="Fazer backup agora", max_attempts=1)
def backup_now(ctx: JobContext) -> JobResult:
    return run_backup(ctx, retention=False)


@job_kind(SCHEDULED_KIND, label="Backup agendado", max_attempts=1)
def scheduled_backup(ctx: JobContext) -> JobResult:
    settings = get_settings()
    if not settings.configured:
        return JobResult(message=settings.describe())
    if not runs.backup_due(ctx.session, utcnow()):
        return JobResult(message="Backup em dia: nada a fazer agora.")
    return run_backup(ctx, retention=True)


periodic(SCHEDULED_KIND, CHECK_EVERY_SECONDS)
