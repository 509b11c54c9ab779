"""Approving a whole period's statements as jobs that scale over worker processes.

The period job refreshes the drafts (one short transaction), splits them into chunks of
consecutive ids and enqueues one chunk job each. Every worker process that picks a chunk
up (Celery workers in production) approves its statements on its own, one statement at a
time in two short transactions with the PDF rendered in between, outside any transaction:
no row is shared between chunks, so nothing serialises them but the audit chain's
moment-long append at each commit. The period job works too: it runs every chunk no
worker has taken yet (the claim queued → running is atomic, so a chunk runs once
wherever it is delivered), waits for the chunks running elsewhere, approves any draft a
failed chunk left behind, and then zips the stored PDFs for finance.

With one worker process the period job ends up running every chunk itself; with N they
share the chunks, since rendering (WeasyPrint, CPU-bound) is nearly all of the work.
"""

from __future__ import annotations

import functools
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from portal.commissions.statements import files, queries, service
from portal.commissions.statements.models import Statement
from portal.core.audit import Actor
from portal.core.jobs import JobContext, JobResult, enqueue, job_kind
from portal.core.jobs.queries import any_unfinished, cancel_requested
from portal.core.pdf import render_pdf
from portal.web.statement_pdf import statement_html

KIND = "commissions.statements.approve_period"
CHUNK_KIND = "commissions.statements.approve_chunk"
CHUNKS_PER_WORKER = 8  # many more chunks than workers: at the end no worker waits long on another
WAIT_SECONDS = 0.5
T = TypeVar("T")
Step = Callable[[Callable[[], T]], T]


def split(ids: list[int], chunks: int) -> list[tuple[int, int]]:
    """`ids` (sorted) in at most `chunks` runs of consecutive ids, as (first, last) pairs."""
    if not ids:
        return []
    size = -(-len(ids) // max(1, min(chunks, len(ids))))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def approve_one(
    session: Session, step: Step, actor: Actor, statement_id: int, storage_dir: str | Path
) -> bool:
    """Approve one draft: refresh and stamp it (short transaction), render its PDF (no
    transaction open), then store the PDF and freeze it (short transaction, the row locked
    on PostgreSQL). False when it is no longer a draft (approved by someone else)."""
    while True:
        prepared = step(lambda: _prepare(session, actor, statement_id))
        if prepared is None:
            return False
        html, rendered_hash = prepared
        pdf = render_pdf(html)
        finish = functools.partial(_finish, session, actor, statement_id, rendered_hash, pdf, storage_dir)
        finished = step(finish)
        if finished is not None:
            return finished


def _prepare(session: Session, actor: Actor, statement_id: int) -> tuple[str, str] | None:
    statement = session.get(Statement, statement_id)
    if statement is None or not statement.is_draft:
        return None
    service.refresh_draft(session, statement)
    service.stamp_approval(statement, actor)
    return statement_html(statement), statement.content_hash


def _finish(
    session: Session, actor: Actor, statement_id: int, rendered_hash: str, pdf: bytes, storage_dir: str | Path
) -> bool | None:
    statement = session.get(Statement, statement_id, with_for_update=True, populate_existing=True)
    if statement is None or not statement.is_draft:
        return False
    if statement.content_hash != rendered_hash:
        return None  # the ledger moved while the PDF was rendered: render it again
    service.finish_approval(session, actor, statement, pdf, storage_dir)
    return True


def read(session: Session, fn: Callable[[], T]) -> T:
    """`fn()` (reads only), then the read transaction ends: no snapshot or lock is kept."""
    try:
        return fn()
    finally:
        session.commit()


@job_kind(CHUNK_KIND, label="Aprovar extratos (parte de um período)", max_attempts=1)
def approve_chunk_job(
    ctx: JobContext, period: str, first_id: int, last_id: int, parent_id: int | None = None
) -> JobResult:
    """The drafts of `period` with ids first_id..last_id, each committed on its own."""
    ids = read(ctx.session, lambda: queries.drafts_between(ctx.session, period, first_id, last_id))
    approved = 0
    for done, statement_id in enumerate(ids, start=1):
        if parent_id is not None and read(ctx.session, lambda: cancel_requested(ctx.session, parent_id)):
            break
        ctx.check_cancelled()
        approved += approve_one(ctx.session, ctx.step, ctx.actor, statement_id, ctx.storage_dir)
        ctx.report(done, len(ids), f"{done} de {len(ids)} extrato(s) desta parte")
    return JobResult(
        message=f"{approved} extrato(s) do período {period} aprovado(s) nesta parte.",
        summary={"Período": period, "Extratos aprovados": approved},
    )


@job_kind(KIND, label="Aprovar extratos do período", max_attempts=1)
def approve_period_job(ctx: JobContext, period: str, workers: int = 2) -> JobResult:
    session = ctx.session

    def start() -> tuple[list[int], list[int]]:
        service.closed_period(session, period)
        service.generate_drafts(session, ctx.actor, period)
        ids = queries.drafts_between(session, period, 0, 2**31 - 1)
        chunks = split(ids, max(1, workers) * CHUNKS_PER_WORKER)
        parent = ctx.job_id
        jobs = [
            enqueue(session, CHUNK_KIND, ctx.actor, period=period, first_id=a, last_id=b, parent_id=parent)
            for a, b in chunks
        ]
        return ids, [job.id for job in jobs]

    ids, chunk_jobs = ctx.step(start)  # committed: the chunks go to the workers now
    total = len(ids)

    def approved_so_far() -> int:
        return read(session, lambda: queries.count_approved(session, ids))

    ctx.report(0, total, "Aprovando os extratos…")
    for chunk_id in chunk_jobs:  # those no worker has taken yet run here
        ctx.check_cancelled()
        ctx.run_here(chunk_id)
        ctx.report(approved_so_far(), total, "Aprovando os extratos…")
    while read(session, lambda: any_unfinished(session, chunk_jobs)):
        ctx.report(approved_so_far(), total, "Aguardando as partes em outros processos…")
        ctx.check_cancelled()
        time.sleep(WAIT_SECONDS)
    for statement_id in read(session, lambda: queries.still_draft(session, ids)):  # what a failed chunk left
        ctx.check_cancelled()
        approve_one(session, ctx.step, ctx.actor, statement_id, ctx.storage_dir)
    ctx.report(total, total, "Montando o arquivo ZIP…")
    target = ctx.output_path(f"extratos-{period}.zip")
    approved = read(session, lambda: _zip(session, ids, ctx.storage_dir, target))
    return JobResult(
        message=f"{approved} extrato(s) do período {period} aprovado(s); o ZIP traz todos os PDFs.",
        summary={"Período": period, "Extratos aprovados": approved},
        file=target.name,
        link=f"/finance/statements?period={period}",
        link_label="Ver extratos",
    )


def _zip(session: Session, ids: list[int], storage_dir: str | Path, target: Path) -> int:
    """Every approved statement of the run, its stored PDF as is (decrypted), in one ZIP."""
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for statement in queries.statements_by_ids(session, chunk):
                if statement.is_draft or not statement.pdf_path:
                    continue
                archive.writestr(files.download_name(statement), files.read_pdf(storage_dir, statement))
                count += 1
    return count
