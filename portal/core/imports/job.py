"""Background jobs of the import hub: run one prepared import (progress bar on the jobs
page) and sweep the per-bank inbox folders (scheduled)."""

from __future__ import annotations

from portal.core.errors import DomainError
from portal.core.imports import inbox, runs
from portal.core.imports.models import DataImport
from portal.core.jobs import JobContext, JobResult, job_kind, periodic

RUN_KIND = "imports.run"
INBOX_KIND = "imports.inbox"
INBOX_EVERY_SECONDS = 300


@job_kind(RUN_KIND, label="Importar arquivo", max_attempts=1)
def run_import(ctx: JobContext, import_id: int) -> JobResult:
    """The whole file in the job's transaction (committed when the body returns)."""
    record = ctx.session.get(DataImport, import_id)
    if record is None:
        raise RuntimeError("importação não encontrada")
    if record.status == "queued":
        record.status = "ready"
    ctx.report(0, None, "Lendo o arquivo…")
    try:
        runs.run_kept(ctx.session, ctx.actor, record, ctx.storage_dir, ctx.report)
    except DomainError as error:
        ctx.session.rollback()
        message = error.message

        def mark_failed() -> None:
            failed = ctx.session.get_one(DataImport, import_id)
            failed.status, failed.message = "failed", message[:300]

        ctx.step(mark_failed)
        return JobResult(
            message=f"Importação recusada: {message}",
            link=f"/finance/imports/{import_id}",
            link_label="Ver a importação",
        )
    return JobResult(
        message=(
            f"{record.imported} linha(s) importada(s), {record.skipped} ignorada(s), "
            f"{record.errors} com erro."
        ),
        summary={
            "Linhas": record.rows_total,
            "Importadas": record.imported,
            "Ignoradas": record.skipped,
            "Erros": record.errors,
        },
        link=f"/finance/imports/{import_id}",
        link_label="Ver o resultado",
    )


@job_kind(INBOX_KIND, label="Varrer caixas de entrada de arquivos dos bancos", max_attempts=1)
def sweep_inbox(ctx: JobContext) -> JobResult:
    outcome = inbox.sweep(ctx.session, ctx.actor, ctx.storage_dir, step=ctx.step)
    return JobResult(
        message=(
            f"{outcome.imported} importado(s), {outcome.held} em quarentena, "
            f"{outcome.refused} recusado(s)."
        ),
        summary={"Importados": outcome.imported, "Quarentena": outcome.held, "Recusados": outcome.refused},
        link="/finance/imports",
        link_label="Ver importações",
    )


periodic(INBOX_KIND, INBOX_EVERY_SECONDS)
