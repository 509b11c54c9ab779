"""The background job that imports a spreadsheet of proposals (progress bar, report page)."""

from __future__ import annotations

from portal.core.jobs import JobContext, JobResult, job_kind
from portal.people.models import User
from portal.proposals.importing import import_proposals, read_kept_file

IMPORT_KIND = "proposals.import"


@job_kind(IMPORT_KIND, label="Importar planilha de propostas", max_attempts=1)
def import_spreadsheet(ctx: JobContext, stored: str, filename: str, user_id: int) -> JobResult:
    """`stored` is the encrypted copy kept at upload; rows are matched within `user_id`'s scope."""
    user = ctx.session.get(User, user_id)
    if user is None:
        raise RuntimeError("usuário da importação não encontrado")
    ctx.report(0, None, "Lendo a planilha…")
    data = read_kept_file(stored, ctx.storage_dir)
    record, created = import_proposals(
        ctx.session, ctx.actor, user, data, filename, ctx.storage_dir, ctx.report, storage_name=stored
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
