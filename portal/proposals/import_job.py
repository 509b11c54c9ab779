"""The background job that imports a spreadsheet of proposals (progress bar, report page)."""

from __future__ import annotations

import logging

from portal.core.jobs import JobContext, JobResult, job_kind
from portal.people.models import User
from portal.proposals.importing import discard_kept_file, import_proposals, read_kept_file

IMPORT_KIND = "proposals.import"
log = logging.getLogger("portal.jobs")


@job_kind(IMPORT_KIND, label="Importar planilha de propostas", max_attempts=1)
def import_spreadsheet(ctx: JobContext, stored: str, filename: str, user_id: int) -> JobResult:
    """`stored` is the encrypted copy kept at upload; rows are matched within `user_id`'s scope.

    Rows are committed in short steps (`ctx.step`). Whatever happens, the kept copy is
    removed unless an import record points at it: a failed import leaves no file of CPFs
    behind, and a resumed one keeps the copy its record already has."""
    try:
        return _run(ctx, stored, filename, user_id)
    finally:
        ctx.session.rollback()
        try:
            ctx.step(lambda: discard_kept_file(ctx.session, stored, ctx.storage_dir))
        except Exception:  # the job's own outcome matters more than the clean-up
            log.exception("job %s: kept import file %s not cleaned up", ctx.job_id, stored)


def _run(ctx: JobContext, stored: str, filename: str, user_id: int) -> JobResult:
    user = ctx.session.get(User, user_id)
    if user is None:
        raise RuntimeError("usuário da importação não encontrado")
    ctx.report(0, None, "Lendo a planilha…")
    data = read_kept_file(stored, ctx.storage_dir)
    record, created = import_proposals(
        ctx.session,
        ctx.actor,
        user,
        data,
        filename,
        ctx.storage_dir,
        ctx.report,
        storage_name=stored,
        step=ctx.step,
    )
    message = (
        f"{record.accepted} proposta(s) importada(s), {record.refused} linha(s) recusada(s)."
        if created
        else "Este arquivo já tinha sido importado: nada foi alterado."
    )
    return JobResult(
        message=message,
        summary={"Linhas": record.rows_total, "Importadas": record.accepted, "Recusadas": record.refused},
        link=f"/operations/proposals/imports/{record.id}",
        link_label="Ver relatório da importação",
    )
