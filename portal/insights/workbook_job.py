"""Jobs of the monthly workbook: generated on demand (a button, with a progress bar) and by
the schedule, which checks every hour and generates the previous month's workbook on the
first business day of the month (once: an existing one is not generated again)."""

from __future__ import annotations

from portal.commissions.ledger import check_period
from portal.core.jobs import JobContext, JobResult, job_kind, periodic
from portal.insights import reports, workbook
from portal.insights.report_models import ReportKind

GENERATE_KIND = "insights.workbook.generate"
SCHEDULE_KIND = "insights.workbook.schedule"
SCHEDULE_EVERY_SECONDS = 3600
REPORTS_LINK = "/reports/"


def generate(ctx: JobContext, period: str) -> JobResult:
    """Build, encrypt and store the workbook of `period`; progress per sheet."""
    period = check_period(period)
    ctx.report(0, len(workbook.SHEETS), "Lendo os números do período…")

    def progress(done: int, total: int, message: str) -> None:
        ctx.report(done, total, message)
        ctx.check_cancelled()

    content = workbook.build_workbook(ctx.session, period, reports.local_today(), progress)
    record = reports.store_report(
        ctx.session,
        ctx.storage_dir,
        content,
        kind=ReportKind.WORKBOOK,
        title=f"Relatório mensal {period[5:]}/{period[:4]}",
        filename=workbook.filename(period),
        content_type=workbook.XLSX_MIME,
        created_by=ctx.actor.label,
        period=period,
    )
    return JobResult(
        message=f"Relatório mensal de {period[5:]}/{period[:4]} gerado; baixe-o na página Relatórios.",
        summary={"Período": period, "Planilhas": len(workbook.SHEETS), "Relatório": record.id},
        link=REPORTS_LINK,
        link_label="Ver relatórios",
    )


@job_kind(GENERATE_KIND, label="Gerar relatório mensal (XLSX)", max_attempts=1)
def generate_job(ctx: JobContext, period: str) -> JobResult:
    return generate(ctx, period)


@job_kind(SCHEDULE_KIND, label="Relatório mensal agendado (primeiro dia útil)", max_attempts=1)
def schedule_job(ctx: JobContext) -> JobResult:
    period = reports.workbook_due(ctx.session, reports.local_today())
    if period is None:
        return JobResult(message="Nenhum relatório mensal a gerar hoje.")
    return generate(ctx, period)


periodic(SCHEDULE_KIND, SCHEDULE_EVERY_SECONDS)
