"""The two runners behind one interface, and the single place that picks one.

- `InProcessRunner`: a small pool of daemon threads in the web process (embedded mode,
  `make run`, tests). The request only queues the job id and returns at once.
- `CeleryRunner`: publishes the job id to Celery through Redis (production); the
  worker (`celery -A portal.worker worker`) runs it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from portal.core.errors import ServiceUnavailable
from portal.core.jobs.context import LiveProgress, ProgressBoard
from portal.core.jobs.execution import run_job
from portal.core.jobs.settings import JobEnvironment

log = logging.getLogger("portal.jobs")

UNAVAILABLE_MESSAGE = (
    "Serviço de processamento indisponível no momento. Nenhum processo foi criado; "
    "tente novamente em alguns minutos."
)


class JobsUnavailable(ServiceUnavailable):
    """The broker does not answer: nothing was enqueued."""

    default_message = UNAVAILABLE_MESSAGE


class Runner(Protocol):
    name: str

    def check_available(self) -> None:
        """Raise `JobsUnavailable` when a job could not be handed over now."""

    def dispatch(self, job_id: int) -> None:
        """Hand a committed, queued job over for execution."""

    def live(self, job_id: int) -> LiveProgress | None:
        """Fresh progress of a job running in this process, if any."""

    def live_job_ids(self) -> set[int]:
        """Jobs running in this process (the stale sweep leaves them alone)."""

    def signal_cancel(self, job_id: int) -> bool:
        """Tell a job running in this process to stop; False when it does not run here."""


class InProcessRunner:
    """Daemon worker threads fed by a queue; started on the first dispatch.

    Daemon threads die with the process, exactly like a killed worker: the stale
    sweep then marks their jobs failed instead of leaving them "running" forever.
    """

    name = "inprocess"

    def __init__(self, env: JobEnvironment, threads: int | None = None) -> None:
        self.env = env
        self.board = ProgressBoard()
        self._threads = max(1, threads or env.settings.threads)
        self._queue: queue.Queue[int] = queue.Queue()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def check_available(self) -> None:
        return None

    def dispatch(self, job_id: int) -> None:
        self._ensure_started()
        self._queue.put(job_id)

    def live(self, job_id: int) -> LiveProgress | None:
        return self.board.get(job_id)

    def live_job_ids(self) -> set[int]:
        return self.board.ids()

    def signal_cancel(self, job_id: int) -> bool:
        return self.board.signal_cancel(job_id)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._workers:
                return
            for n in range(self._threads):
                thread = threading.Thread(target=self._work, name=f"athenas-job-{n}", daemon=True)
                thread.start()
                self._workers.append(thread)

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                outcome = run_job(self.env, job_id, self.board)
                if outcome.retry_in is not None:
                    timer = threading.Timer(outcome.retry_in, self._queue.put, args=(job_id,))
                    timer.daemon = True
                    timer.start()
            except Exception:
                log.exception("job %s: runner error", job_id)
            finally:
                self._queue.task_done()


class CeleryRunner:
    """Publishes `athenas.jobs.run(job_id)`; checks Redis with a short ping first."""

    name = "celery"

    def __init__(self, env: JobEnvironment, broker_url: str) -> None:
        self.env = env
        self.broker_url = broker_url
        self._producer: Any = None
        self._lock = threading.Lock()

    def check_available(self) -> None:
        import redis

        timeout = self.env.settings.broker_timeout_seconds
        client = redis.Redis.from_url(self.broker_url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        except (redis.RedisError, OSError) as error:
            log.warning("jobs broker unreachable: %s", error)
            raise JobsUnavailable from None
        finally:
            client.close()

    def producer(self) -> Any:
        with self._lock:
            if self._producer is None:
                from celery import Celery

                from portal.core.jobs.celery_config import celery_settings

                app = Celery("athenas-producer", set_as_current=False)
                app.conf.update(celery_settings(self.broker_url, self.env.settings))
                self._producer = app
            return self._producer

    def dispatch(self, job_id: int) -> None:
        from portal.core.jobs.celery_config import RUN_TASK

        self.producer().send_task(RUN_TASK, args=[job_id])

    def live(self, job_id: int) -> LiveProgress | None:
        return None

    def live_job_ids(self) -> set[int]:
        return set()

    def signal_cancel(self, job_id: int) -> bool:
        return False  # the worker sees `cancel_requested` in the database


def build_runner(name: str, env: JobEnvironment, config: Mapping[str, Any]) -> Runner:
    """The one place where the runner is chosen (JOBS_RUNNER: "celery" or "inprocess")."""
    if name == "celery":
        if not config.get("REDIS_URL"):
            raise RuntimeError("JOBS_RUNNER=celery requires REDIS_URL")
        return CeleryRunner(env, config["REDIS_URL"])
    if name == "inprocess":
        return InProcessRunner(env)
    raise RuntimeError(f"unknown JOBS_RUNNER {name!r} (use 'celery' or 'inprocess')")
