"""Reads: job lists and details, scoped to the viewer (own jobs unless `see_all`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.core.errors import NotFound
from portal.core.jobs.context import LiveProgress
from portal.core.jobs.models import STATUS_LABELS, Job, JobStatus
from portal.core.jobs.registry import kind_label
from portal.core.pagination import Page, keyset_page

NOT_FOUND = "Processo não encontrado ou não disponível para você."


def jobs_query(
    viewer_id: int | None, see_all: bool, status: str = "", kind: str = "", mine: bool = False
) -> Select:
    """The scoped, filtered job list (shared by the page and its export)."""
    stmt = select(Job)
    if not see_all or mine:
        stmt = stmt.where(Job.actor_id == viewer_id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return stmt


def jobs_page(
    session: Session,
    viewer_id: int | None,
    see_all: bool,
    cursor: str | None,
    per_page: int = 25,
    **filters: Any,
) -> Page[Job]:
    return keyset_page(
        session, jobs_query(viewer_id, see_all, **filters), [Job.id], cursor, per_page, descending=True
    )


def get_visible(session: Session, job_id: int, viewer_id: int | None, see_all: bool) -> Job:
    """The job, or NotFound when it does not exist or belongs to someone else."""
    job = session.get(Job, job_id)
    if job is None or (not see_all and job.actor_id != viewer_id):
        raise NotFound(NOT_FOUND)
    return job


@dataclass(frozen=True)
class ProgressView:
    """What the progress bar shows; live in-process progress wins over the stored row."""

    job_id: int
    status: JobStatus
    status_label: str
    kind_label: str
    done: int
    total: int | None
    percent: int | None
    message: str
    finished: bool
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.job_id,
            "status": self.status.value,
            "status_label": self.status_label,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "finished": self.finished,
            "result": self.result,
            "error": self.error,
        }


def progress_view(job: Job, live: LiveProgress | None = None) -> ProgressView:
    status = job.status_enum
    done, total, message = job.progress_done, job.progress_total, job.progress_message
    if live is not None and status == JobStatus.RUNNING:
        done, total, message = live.done, live.total, live.message or message
    if status == JobStatus.DONE:
        percent: int | None = 100
    elif total:
        percent = max(0, min(100, done * 100 // total))
    else:
        percent = None if status == JobStatus.RUNNING else 0
    if status == JobStatus.FAILED:
        message = "O processo falhou."
    return ProgressView(
        job_id=job.id,
        status=status,
        status_label=status.label,
        kind_label=kind_label(job.kind),
        done=done,
        total=total,
        percent=percent,
        message=message,
        finished=status.finished,
        result=job.result if status == JobStatus.DONE else None,
        error=job.error if status == JobStatus.FAILED else None,
        cancel_requested=job.cancel_requested or bool(live and live.cancel_requested),
    )


def cancel_requested(session: Session, job_id: int) -> bool:
    """Whether someone asked job `job_id` to stop."""
    return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def any_unfinished(session: Session, job_ids: list[int]) -> bool:
    """Whether any of `job_ids` is still queued or running."""
    if not job_ids:
        return False
    unfinished = (JobStatus.QUEUED, JobStatus.RUNNING)
    stmt = select(func.count()).where(Job.id.in_(job_ids), Job.status.in_(unfinished))
    return bool(session.scalar(stmt))

