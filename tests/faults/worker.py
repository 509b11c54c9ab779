"""A real Celery worker process (`celery -A portal.worker worker`, as `make worker` and the
production-shape browser tests run it) on a fault test's private PostgreSQL and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT
from tests.conftest import TEST_SECRET

CELERY = Path(sys.executable).parent / "celery"
# Short heartbeats so a dead worker's job is seen stale in seconds (production: 15 s / 120 s).
HEARTBEAT_SECONDS = 1
STALE_AFTER_SECONDS = 3


def job_settings() -> dict[str, object]:
    """The same job timings for the test's app (the publisher) and the worker."""
    return {"JOBS_HEARTBEAT_SECONDS": HEARTBEAT_SECONDS, "JOBS_STALE_AFTER_SECONDS": STALE_AFTER_SECONDS}


class CeleryWorker:
    """One worker (a thread pool of `concurrency`) in a process group of its own."""

    def __init__(self, database_url: str, broker_url: str, storage_dir: Path, logs: Path) -> None:
        self.logs = logs
        self.runs = 0
        self.process: subprocess.Popen[bytes] | None = None
        keep = {k: v for k, v in os.environ.items() if not k.startswith("ATHENAS_")}
        keep.pop("REDIS_URL", None)
        keep.pop("DATABASE_URL", None)
        self.env = {
            **keep,
            "PYTHONPATH": str(PROJECT_ROOT),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "ATHENAS_JOBS_RUNNER": "celery",
            "ATHENAS_STORAGE_DIR": str(storage_dir),
            "ATHENAS_SECRET_KEY": TEST_SECRET,
            "ATHENAS_ARGON2_CHEAP": "1",
            "ATHENAS_BACKUP_REPOSITORIES": str(logs / "backups"),
            "ATHENAS_BACKUP_PASSWORD": "faults-backup-password-only-for-tests",
            "ATHENAS_JOBS_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "ATHENAS_JOBS_STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
        }

    @property
    def log(self) -> Path:
        return self.logs / f"worker-{self.runs}.log"

    def start(self, concurrency: int = 1) -> None:
        self.runs += 1
        argv = [str(CELERY), "-A", "portal.worker", "worker", "--pool=threads", "-c", str(concurrency)]
        argv += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"faults-{self.runs}@%h"]
        self.process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"o worker saiu com código {self.process.returncode}\n{self.tail()}")
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        pytest.fail(f"o worker não ficou pronto em 30 s\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL to the whole worker (a crash, an OOM kill): no cleanup of any kind."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        self.process = None

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in sorted(self.logs.glob("*.log"))
        )


@pytest.fixture
def celery_worker(tmp_path: Path) -> Iterator[Callable[[str, str], CeleryWorker]]:
    """`celery_worker(database_url, broker_url)`: a worker (not started) sharing the test
    app's storage directory; stopped after the test."""
    made: list[CeleryWorker] = []
    logs = tmp_path / "worker-logs"
    logs.mkdir()

    def _make(database_url: str, broker_url: str) -> CeleryWorker:
        worker = CeleryWorker(database_url, broker_url, tmp_path / "storage", logs)
        made.append(worker)
        return worker

    try:
        yield _make
    finally:
        for worker in made:
            worker.stop()
