"""What a job body sees (`JobContext`), what it returns (`JobResult`), and the
in-memory board of live progress kept by the in-process runner."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.jobs.models import Job, JobStatus
from portal.core.jobs.settings import JobEnvironment
from portal.core.jobs.transactions import run_short_transaction

log = logging.getLogger("portal.jobs")
T = TypeVar("T")


class JobCancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised by `ctx.check_cancelled()`; the runner rolls the job's work back."""


class TransientJobError(Exception):
    """A temporary failure (remote bank down, network); the job is retried with backoff."""


@dataclass(frozen=True)
class JobResult:
    """The outcome shown to the user: a message, a small summary, an optional file
    written with `ctx.output_path(file)` and/or a link to a page."""

    message: str = "Processo concluído."
    summary: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    link: str | None = None
    link_label: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "summary": dict(self.summary)}
        if self.file:
            if Path(self.file).name != self.file:
                raise ValueError("JobResult.file must be a plain file name")
            data["file"] = self.file
        if self.link:
            data["link"] = self.link
            data["link_label"] = self.link_label or "Abrir"
        return data


@dataclass(frozen=True)
class LiveProgress:
    done: int
    total: int | None
    message: str
    updated_at: float
    cancel_requested: bool = False


class ProgressBoard:
    """Latest progress of the jobs running in this process, and cancellation signals
    for them (thread-safe). On SQLite this is how the bar moves and how a cancel
    reaches a job that holds the database's single write lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, LiveProgress] = {}

    def start(self, job_id: int) -> None:
        self.update(job_id, 0, None, "Iniciando…")

    def update(self, job_id: int, done: int, total: int | None, message: str) -> None:
        with self._lock:
            previous = self._items.get(job_id)
            cancel = previous.cancel_requested if previous else False
            self._items[job_id] = LiveProgress(done, total, message, time.monotonic(), cancel)

    def signal_cancel(self, job_id: int) -> bool:
        """Flag a live job for cancellation; False when it is not running here."""
        with self._lock:
            item = self._items.get(job_id)
            if item is None:
                return False
            self._items[job_id] = LiveProgress(item.done, item.total, item.message, item.updated_at, True)
            return True

    def cancel_requested(self, job_id: int) -> bool:
        with self._lock:
            item = self._items.get(job_id)
            return bool(item and item.cancel_requested)

    def get(self, job_id: int) -> LiveProgress | None:
        with self._lock:
            return self._items.get(job_id)

    def remove(self, job_id: int) -> None:
        with self._lock:
            self._items.pop(job_id, None)

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._items)


def job_dir(storage_dir: str | Path, job_id: int) -> Path:
    """Where a job's generated files live (shared storage, never the process)."""
    return Path(storage_dir) / "jobs" / str(job_id)


def short_write(env: JobEnvironment, stmt: Any) -> int:
    """Run one UPDATE in its own short transaction so other servers see it at once
    (retried while SQLite's write lock is taken by someone else)."""
    session = env.session_factory()
    try:
        return run_short_transaction(session, lambda: session.execute(stmt).rowcount)  # type: ignore[attr-defined]
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class JobContext:
    """Handed to every job body.

    - `session`: the job's own session; the runner commits it when the body returns.
    - `step(fn)`: run `fn()` in a short transaction of its own, committed at once and
      retried on lock contention: long jobs write in steps, so a login or an upload
      meanwhile neither waits long nor makes the job fail (embedded SQLite mode).
    - `actor`: who started the job (audit entries written by the body use it).
    - `report(done, total, message)`: progress, visible to every app server within a second.
    - `cancelled()` / `check_cancelled()`: cooperative cancellation requested by the owner.
    - `storage_dir` / `output_path(name)`: shared storage for generated files.
    """

    def __init__(
        self,
        job_id: int,
        kind: str,
        session: Session,
        actor: Actor,
        env: JobEnvironment,
        board: ProgressBoard | None = None,
    ) -> None:
        self.job_id = job_id
        self.kind = kind
        self.session = session
        self.actor = actor
        self.storage_dir = Path(env.storage_dir)
        self._env = env
        self._board = board
        self._last_write = 0.0
        self._last_cancel_check = 0.0
        self._cancel_seen = False
        self.last_progress: tuple[int, int | None, str] = (0, None, "")

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress: `done` of `total` units (total None = unknown) and a pt-BR message."""
        done = max(0, int(done))
        total = None if total is None else max(0, int(total))
        message = (message or "")[:300]
        self.last_progress = (done, total, message)
        if self._board is not None:
            self._board.update(self.job_id, done, total, message)
        if not self._env.progress_in_db:
            return
        now = time.monotonic()
        finished_step = total is not None and done >= total
        if not finished_step and now - self._last_write < self._env.settings.progress_interval_seconds:
            return
        self._last_write = now
        stmt = (
            update(Job)
            .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
            .values(progress_done=done, progress_total=total, progress_message=message, heartbeat_at=utcnow())
        )
        try:
            short_write(self._env, stmt)
        except SQLAlchemyError:
            log.warning("job %s: progress not saved", self.job_id, exc_info=True)

    def step(self, fn: Callable[[], T]) -> T:
        """Commit what the session holds, run `fn()` in a short write transaction and
        commit it; `fn` must be safe to run again (it is, after a lock, on a clean slate)."""
        return run_short_transaction(self.session, fn)

    def run_here(self, job_id: int) -> bool:
        """Run queued job `job_id` in this process now, unless a worker has already taken
        it: the claim (queued → running) is atomic, so the job runs once wherever it is
        delivered. Lets a job share its work out as jobs and do whatever is left itself.
        The caller's session must hold no open write transaction. True when run here."""
        from portal.core.jobs.execution import run_job  # execution imports this module

        return run_job(self._env, job_id, self._board).status is not None

    def cancelled(self) -> bool:
        """True once the owner asked to cancel (checked in the database, at most twice a second)."""
        if self._cancel_seen:
            return True
        if self._board is not None and self._board.cancel_requested(self.job_id):
            self._cancel_seen = True
            return True
        now = time.monotonic()
        if now - self._last_cancel_check < 0.5:
            return False
        self._last_cancel_check = now
        session = self._env.session_factory()
        try:
            self._cancel_seen = bool(
                session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
            )
        except SQLAlchemyError:
            log.warning("job %s: cancellation check failed", self.job_id, exc_info=True)
        finally:
            session.close()
        return self._cancel_seen

    def check_cancelled(self) -> None:
        """Raise `JobCancelled` when the owner asked to cancel."""
        if self.cancelled():
            raise JobCancelled

    def output_path(self, filename: str) -> Path:
        """A path for a generated file, served later by the job page's download link."""
        if Path(filename).name != filename or filename in ("", ".", ".."):
            raise ValueError("output file name must not contain directories")
        directory = job_dir(self.storage_dir, self.job_id)
        directory.mkdir(parents=True, exist_ok=True)
        return directory / filename
