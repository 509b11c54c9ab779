"""Approving a whole period's statements as a job: drafts are refreshed from the ledger
and stamped, their HTML built here (it needs the database), the PDFs rendered by
`workers` processes (WeasyPrint is CPU-bound: threads would not help), then each PDF is
stored encrypted, its statement frozen, and all of them zipped for finance."""

from __future__ import annotations

import multiprocessing
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import select

from portal.commissions.statements import files, service
from portal.commissions.statements.models import Statement, StatementState
from portal.core.jobs import JobContext, JobResult, job_kind
from portal.core.pdf import render_pdf
from portal.web.statement_pdf import statement_html

KIND = "commissions.statements.approve_period"


def render_all(htmls: list[str], workers: int) -> Iterator[bytes]:
    """PDFs in the order of `htmls`; `workers` > 1 spreads them over processes."""
    if workers <= 1 or len(htmls) < 2:
        yield from (render_pdf(h) for h in htmls)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    chunk = max(1, len(htmls) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(render_pdf, htmls, chunksize=chunk)


@job_kind(KIND, label="Aprovar extratos do período", max_attempts=1)
def approve_period_job(ctx: JobContext, period: str, workers: int = 2) -> JobResult:
    session = ctx.session
    actor = ctx.actor
    service.closed_period(session, period)
    service.generate_drafts(session, actor, period)
    drafts = list(
        session.scalars(
            select(Statement)
            .where(Statement.period == period, Statement.state == StatementState.DRAFT.value)
            .order_by(Statement.id)
        )
    )
    total = len(drafts)
    ctx.report(0, total, "Preparando os extratos…")
    htmls = []
    for statement in drafts:
        service.refresh_draft(session, statement)
        service.stamp_approval(statement, actor)
        htmls.append(statement_html(statement))
    target = ctx.output_path(f"extratos-{period}.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (statement, pdf) in enumerate(
            zip(drafts, render_all(htmls, workers), strict=True), start=1
        ):
            service.finish_approval(session, actor, statement, pdf, ctx.storage_dir)
            archive.writestr(files.download_name(statement), pdf)
            ctx.report(done, total, f"{done} de {total} extrato(s) aprovado(s)")
            ctx.check_cancelled()
    return JobResult(
        message=f"{total} extrato(s) do período {period} aprovado(s); o ZIP traz todos os PDFs.",
        summary={"Período": period, "Extratos aprovados": total},
        file=target.name,
        link=f"/finance/statements?period={period}",
        link_label="Ver extratos",
    )
