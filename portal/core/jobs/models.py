"""The `jobs` table: one row per background job, shared by every app server and worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum


class JobStatus(LabeledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


    @property
    def finished(self) -> bool:
        return self in FINISHED


STATUS_LABELS = {
    JobStatus.QUEUED: "Na fila",
    JobStatus.RUNNING: "Em execução",
    JobStatus.DONE: "Concluído",
    JobStatus.FAILED: "Falhou",
    JobStatus.CANCELLED: "Cancelado",
}
JobStatus.__labels__ = STATUS_LABELS
FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(Base):
    """A background job. `params` holds ids and options only, never personal data;
    `error` holds the Portuguese message for the owner (tracebacks go to the log)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_actor_id_id", "actor_id", "id"),
        Index("ix_jobs_status_heartbeat_at", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_message: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_enum(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def finished(self) -> bool:
        return self.status_enum.finished

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
