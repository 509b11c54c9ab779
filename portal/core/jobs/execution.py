"""Running one job: claim it, run its body with a context, record the outcome.

Used by both runners (the in-process thread pool and the Celery task), so a job
behaves the same in the embedded mode and in production.
"""

from __future__ import annotations

import logging
import random
import shutil
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.jobs.context import (
    JobCancelled,
    JobContext,
    JobResult,
    ProgressBoard,
    TransientJobError,
    job_dir,
    short_write,
)
from portal.core.jobs.models import Job, JobStatus
from portal.core.jobs.registry import JobKind, get_kind
from portal.core.jobs.settings import JobEnvironment, JobSettings, worker_name
from portal.core.jobs.transactions import has_written, run_short_transaction, track_writes

log = logging.getLogger("portal.jobs")

STALE_MESSAGE = "Processo interrompido: o servidor que executava a tarefa parou."
NOT_STARTED_MESSAGE = "Processo não iniciado: a fila de processamento não o executou a tempo."
UNEXPECTED_MESSAGE = (
    "O processo falhou por um erro inesperado. A equipe técnica pode consultar os detalhes "
    "no registro do servidor (processo nº {id})."
)
TIMEOUT_MESSAGE = "O processo excedeu o tempo máximo de execução e foi interrompido."
UNKNOWN_KIND_MESSAGE = "Tipo de processo desconhecido neste servidor: {kind}."
CANCELLED_MESSAGE = "Cancelado a pedido do usuário."
TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientJobError,
    OperationalError,
    ConnectionError,
    TimeoutError,
)


@dataclass(frozen=True)
class Outcome:
    """How a run ended; `retry_in` is set when the job went back to the queue."""

    status: JobStatus | None
    retry_in: float | None = None


def _finish(env: JobEnvironment, job_id: int, status: JobStatus, **values: Any) -> None:
    now = utcnow()
    stmt = (
        update(Job).where(Job.id == job_id).values(status=status, finished_at=now, heartbeat_at=now, **values)
    )
    short_write(env, stmt)


def _last_progress(ctx: JobContext) -> dict[str, Any]:
    """Where the bar stood when the job stopped (on SQLite it was only in memory)."""
    done, total, _message = ctx.last_progress
    return {"progress_done": done, "progress_total": total}


def _finish_cancelled(env: JobEnvironment, job: Job, progress: dict[str, Any]) -> None:
    """Record the cancellation and its audit entry once the job's own transaction is
    gone (the audit chain's lock must not be taken while the job still holds it)."""
    session = env.session_factory()

    def cancel() -> None:
        now = utcnow()
        session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(
                status=JobStatus.CANCELLED,
                cancel_requested=True,
                progress_message=CANCELLED_MESSAGE,
                finished_at=now,
                heartbeat_at=now,
                **progress,
            )
        )
        if job.actor_id is not None:
            owner = Actor(id=job.actor_id, label=job.actor_label)
            audit.record(session, owner, "job.cancelled", f"job:{job.id}", {"kind": job.kind})

    try:
        run_short_transaction(session, cancel)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def mark_failed(env: JobEnvironment, job_id: int, message: str) -> None:
    """Fail a job that is not finished (used when dispatching it failed)."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.FAILED, error=message, finished_at=now, progress_message=message[:300])
    )
    short_write(env, stmt)


def _claim(env: JobEnvironment, job_id: int) -> Job | None:
    """queued → running, atomically: a redelivered or duplicate task claims nothing."""
    session = env.session_factory()
    try:
        now = utcnow()
        claimed = session.execute(  # type: ignore[attr-defined]
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=Job.attempts + 1,
                worker=worker_name(),
                progress_message="Iniciando…",
            )
        ).rowcount
        job = session.get(Job, job_id) if claimed == 1 else None
        if job is not None:
            session.expunge(job)
        session.commit()
        return job
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _Heartbeat:
    """Touches `heartbeat_at` every few seconds while the body runs, so a job that is
    merely slow is never mistaken for one whose worker died."""

    def __init__(self, env: JobEnvironment, job_id: int) -> None:
        self._env, self._job_id = env, job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        if self._env.progress_in_db:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._env.settings.heartbeat_seconds):
            stmt = (
                update(Job)
                .where(Job.id == self._job_id, Job.status == JobStatus.RUNNING)
                .values(heartbeat_at=utcnow())
            )
            try:
                short_write(self._env, stmt)
            except SQLAlchemyError:
                log.warning("job %s: heartbeat not saved", self._job_id, exc_info=True)


def _as_result(value: Any) -> dict[str, Any]:
    if isinstance(value, JobResult):
        return value.to_json()
    if isinstance(value, dict):
        return JobResult(summary=value).to_json()
    return JobResult().to_json()


def _backoff(kind: JobKind, attempt: int) -> float:
    base = kind.retry_backoff_seconds * (2 ** max(0, attempt - 1))
    return min(600.0, base) * random.uniform(0.8, 1.2)


def _discard_files(env: JobEnvironment, job_id: int) -> None:
    shutil.rmtree(job_dir(env.storage_dir, job_id), ignore_errors=True)


def run_job(env: JobEnvironment, job_id: int, board: ProgressBoard | None = None) -> Outcome:
    """Execute job `job_id` if it is still queued; never raises for a body's failure."""
    job = _claim(env, job_id)
    if job is None:
        log.info("job %s: not queued any more (cancelled, finished or already claimed); skipped", job_id)
        return Outcome(None)
    kind = get_kind(job.kind)
    if kind is None:
        log.error("job %s: unknown kind %r", job_id, job.kind)
        _finish(env, job_id, JobStatus.FAILED, error=UNKNOWN_KIND_MESSAGE.format(kind=job.kind))
        return Outcome(JobStatus.FAILED)
    if board is not None:
        board.start(job_id)
    session = env.session_factory()
    track_writes(session)
    actor = Actor(id=job.actor_id, label=job.actor_label)
    ctx = JobContext(job_id, job.kind, session, actor, env, board)
    try:
        with _Heartbeat(env, job_id):
            return _run_body(env, kind, job, ctx, session)
    finally:
        session.close()
        if board is not None:
            board.remove(job_id)


def _run_body(env: JobEnvironment, kind: JobKind, job: Job, ctx: JobContext, session: Session) -> Outcome:
    job_id = job.id
    try:
        value = kind.fn(ctx, **(job.params or {}))
        done, total, _message = ctx.last_progress
        now = utcnow()
        finished = (
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.DONE,
                result=_as_result(value),
                error=None,
                progress_done=total if total is not None else done,
                progress_total=total,
                progress_message="Concluído.",
                finished_at=now,
                heartbeat_at=now,
            )
        )
        if has_written(session):
            session.execute(finished)
            session.commit()  # the job's pending work and its "done" land together
        else:
            # Only reads (or work already committed in steps) are open: a fresh short
            # transaction, so a login that committed meanwhile cannot make this fail.
            run_short_transaction(session, lambda: session.execute(finished))
        log.info("job %s (%s) done", job_id, job.kind)
        return Outcome(JobStatus.DONE)
    except JobCancelled:
        session.rollback()
        _discard_files(env, job_id)
        _finish_cancelled(env, job, _last_progress(ctx))
        log.info("job %s (%s) cancelled by its owner", job_id, job.kind)
        return Outcome(JobStatus.CANCELLED)
    except DomainError as error:
        session.rollback()
        _discard_files(env, job_id)
        _finish(
            env,
            job_id,
            JobStatus.FAILED,
            error=error.message,
            progress_message="Falhou.",
            **_last_progress(ctx),
        )
        log.info("job %s (%s) refused: %s", job_id, job.kind, error.message)
        return Outcome(JobStatus.FAILED)
    except TRANSIENT_TYPES as error:
        session.rollback()
        _discard_files(env, job_id)
        attempt = job.attempts
        if attempt < kind.max_attempts:
            delay = _backoff(kind, attempt)
            log.warning(
                "job %s (%s) transient failure, retry in %.0fs", job_id, job.kind, delay, exc_info=True
            )
            message = (
                f"Falha temporária; nova tentativa em {delay:.0f} s "
                f"(tentativa {attempt + 1} de {kind.max_attempts})."
            )
            short_write(
                env,
                update(Job)
                .where(Job.id == job_id)
                .values(status=JobStatus.QUEUED, progress_message=message[:300]),
            )
            return Outcome(JobStatus.QUEUED, retry_in=delay)
        log.exception("job %s (%s) failed after %s attempts", job_id, job.kind, attempt)
        _finish(
            env,
            job_id,
            JobStatus.FAILED,
            error=_user_message(error, job_id),
            progress_message="Falhou.",
            **_last_progress(ctx),
        )
        return Outcome(JobStatus.FAILED)
    except Exception as error:
        session.rollback()
        _discard_files(env, job_id)
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(
            env,
            job_id,
            JobStatus.FAILED,
            error=_user_message(error, job_id),
            progress_message="Falhou.",
            **_last_progress(ctx),
        )
        return Outcome(JobStatus.FAILED)


def _user_message(error: BaseException, job_id: int) -> str:
    if type(error).__name__ == "SoftTimeLimitExceeded":
        return TIMEOUT_MESSAGE
    return UNEXPECTED_MESSAGE.format(id=job_id)


def sweep_stale(
    session: Session, settings: JobSettings, exclude_ids: set[int] | frozenset[int] = frozenset()
) -> int:
    """Fail running jobs whose heartbeat stopped (their worker died) and queued jobs no
    runner picked up in time. Reads first, so an idle sweep never takes a write lock."""
    now = utcnow()
    stale_cutoff = now - timedelta(seconds=settings.stale_after_seconds)
    queued_cutoff = now - timedelta(seconds=settings.queued_timeout_seconds)
    stale = set(
        session.scalars(
            select(Job.id).where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < stale_cutoff)
        )
    ) - set(exclude_ids)
    forgotten = set(
        session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED, Job.created_at < queued_cutoff))
    )
    for ids, status, message in (
        (stale, JobStatus.RUNNING, STALE_MESSAGE),
        (forgotten, JobStatus.QUEUED, NOT_STARTED_MESSAGE),
    ):
        if ids:
            session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.status == status)
                .values(status=JobStatus.FAILED, error=message, finished_at=now, progress_message="Falhou.")
                .execution_options(synchronize_session=False)
            )
            log.warning("jobs marked failed (%s): %s", status, sorted(ids))
    if stale or forgotten:
        _settle_abandoned(session, stale | forgotten)
    session.flush()
    return len(stale) + len(forgotten)


def _settle_abandoned(session: Session, ids: set[int]) -> None:
    """Let each kind undo what its abandoned jobs committed in steps (an import's first
    batches), in the sweep's transaction: a job failed here is never left half-applied.
    A hook that fails is rolled back alone and logged; the job stays failed."""
    failed = session.scalars(
        select(Job)
        .where(
            Job.id.in_(ids),
            Job.status == JobStatus.FAILED,
            Job.error.in_((STALE_MESSAGE, NOT_STARTED_MESSAGE)),
        )
        .execution_options(populate_existing=True)
    )
    for job in list(failed):
        kind = get_kind(job.kind)
        if kind is None or kind.on_abandoned is None:
            continue
        try:
            with session.begin_nested():
                kind.on_abandoned(session, job)
        except Exception:
            log.exception("job %s (%s): undoing the abandoned job failed", job.id, job.kind)
