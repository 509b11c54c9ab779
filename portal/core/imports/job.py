"""Background jobs of the import hub: run one prepared import (progress bar on the jobs
page) and sweep the per-bank inbox folders (scheduled)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import SYSTEM, Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.imports import inbox, runs
from portal.core.imports.kinds import get_kind
from portal.core.imports.models import DataImport
from portal.core.jobs import Job, JobContext, JobResult, job_kind, periodic

RUN_KIND = "imports.run"
INBOX_KIND = "imports.inbox"
INBOX_EVERY_SECONDS = 300
ABANDONED_MESSAGE = (
    "Importação interrompida: o servidor que a executava parou. Nada desta importação ficou "
    "gravado; envie o arquivo de novo."
)
NOT_STARTED_MESSAGE = (
    "Importação não iniciada: a fila de processamento não a executou a tempo. Nada foi "
    "gravado; envie o arquivo de novo."
)


def settle_abandoned(session: Session, job: Job) -> None:
    """The worker died mid-import (killed, server lost): the stale sweep failed its job.
    The batches it had committed are deleted and the import marked failed, so nothing of
    the file stays half-applied and sending it again is one clean run."""
    import_id = (job.params or {}).get("import_id")
    record = session.get(DataImport, import_id) if import_id else None
    if record is None or record.status != "queued":
        return  # finished, or failed and settled by the job itself
    deleted = get_kind(record.kind).revert(session, record.id)
    record.status, record.finished_at = "failed", utcnow()
    record.rows_total = record.imported = record.skipped = record.errors = 0
    started = job.started_at is not None
    record.problems, record.message = [], ABANDONED_MESSAGE if started else NOT_STARTED_MESSAGE
    session.flush()
    owner = Actor(id=job.actor_id, label=job.actor_label) if job.actor_id is not None else SYSTEM
    audit.record(
        session,
        owner,
        "imports.interrupted",
        f"data_import:{record.id}",
        {"kind": record.kind, "bank": record.bank_code, "deleted": deleted, "job": job.id},
    )


@job_kind(RUN_KIND, label="Importar arquivo", max_attempts=1, on_abandoned=settle_abandoned)
def run_import(ctx: JobContext, import_id: int) -> JobResult:
    """Row-by-row kinds commit batch by batch (`ctx.step`); an all-or-nothing kind
    (a commission table) in the job's transaction. A crash half-way marks the import
    failed, saying how many rows stayed: sending the file again skips them."""
    record = ctx.session.get(DataImport, import_id)
    if record is None:
        raise RuntimeError("importação não encontrada")
    ctx.report(0, None, "Lendo o arquivo…")
    try:
        record = runs.run_kept(ctx.session, ctx.actor, record, ctx.storage_dir, ctx.report, ctx.step)
    except DomainError as error:
        _mark_failed(ctx, import_id, error.message)
        return JobResult(
            message=f"Importação recusada: {error.message}",
            link=f"/finance/imports/{import_id}",
            link_label="Ver a importação",
        )
    except Exception:
        _mark_failed(ctx, import_id, None)
        raise
    if record.status == "failed":  # an all-or-nothing file with bad lines: nothing stored
        return JobResult(
            message=f"Importação recusada: {record.message}",
            summary={"Linhas": record.rows_total, "Erros": record.errors},
            link=f"/finance/imports/{import_id}",
            link_label="Ver as linhas com erro",
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


def _mark_failed(ctx: JobContext, import_id: int, message: str | None) -> None:
    """`message` None: an unexpected failure; the rows committed before it are counted."""
    ctx.session.rollback()

    def mark() -> None:
        failed = ctx.session.get_one(DataImport, import_id)
        failed.status = "failed"
        if message is None:
            text = (
                f"Importação interrompida por uma falha: {failed.imported} linha(s) já importada(s) "
                "ficaram. Envie o arquivo de novo para continuar (as já importadas são ignoradas) "
                "ou desfaça esta importação."
            )
        elif failed.imported:  # refused after some batches were committed
            text = (
                f"{failed.imported} linha(s) já importada(s) ficaram; {message} Envie o arquivo "
                "corrigido (as já importadas são ignoradas) ou desfaça esta importação."
            )
        else:
            text = message
        failed.message = text[:300]

    ctx.step(mark)


@job_kind(INBOX_KIND, label="Varrer caixas de entrada de arquivos dos bancos", max_attempts=1)
def sweep_inbox(ctx: JobContext) -> JobResult:
    outcome = inbox.sweep(ctx.session, ctx.actor, ctx.storage_dir, step=ctx.step)
    return JobResult(
        message=(
            f"{outcome.imported} importado(s), {outcome.held} em quarentena, {outcome.refused} recusado(s)."
        ),
        summary={"Importados": outcome.imported, "Quarentena": outcome.held, "Recusados": outcome.refused},
        link="/finance/imports",
        link_label="Ver importações",
    )


periodic(INBOX_KIND, INBOX_EVERY_SECONDS)
