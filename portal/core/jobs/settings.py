"""Job settings (from the app config) and the environment a job runs in."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class JobSettings:
    """Timing knobs; see docs/escalando.md for what each one means in production."""

    threads: int = 4
    heartbeat_seconds: float = 15.0
    stale_after_seconds: float = 120.0
    queued_timeout_seconds: float = 86400.0
    max_runtime_seconds: int = 7200
    visibility_timeout_seconds: int = 10800
    broker_timeout_seconds: float = 1.0
    progress_interval_seconds: float = 0.3

    def __post_init__(self) -> None:
        if self.stale_after_seconds < 2 * self.heartbeat_seconds:
            raise ValueError("JOBS_STALE_AFTER_SECONDS must be at least twice JOBS_HEARTBEAT_SECONDS")
        if self.visibility_timeout_seconds <= self.max_runtime_seconds:
            raise ValueError("JOBS_VISIBILITY_TIMEOUT_SECONDS must exceed JOBS_MAX_RUNTIME_SECONDS")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> JobSettings:
        names = {
            "threads": "JOBS_THREADS",
            "heartbeat_seconds": "JOBS_HEARTBEAT_SECONDS",
            "stale_after_seconds": "JOBS_STALE_AFTER_SECONDS",
            "queued_timeout_seconds": "JOBS_QUEUED_TIMEOUT_SECONDS",
            "max_runtime_seconds": "JOBS_MAX_RUNTIME_SECONDS",
            "visibility_timeout_seconds": "JOBS_VISIBILITY_TIMEOUT_SECONDS",
            "broker_timeout_seconds": "JOBS_BROKER_TIMEOUT_SECONDS",
        }
        return cls(**{attr: config[key] for attr, key in names.items() if config.get(key) is not None})


@dataclass(frozen=True)
class JobEnvironment:
    """What the runner needs to execute a job outside any request.

    `progress_in_db` is False on SQLite: there a second writer would fight the job's own
    write transaction, so live progress stays in the in-process runner's memory and only
    the start and the outcome are written (the embedded mode is a single process).
    """

    session_factory: Callable[[], Session]
    storage_dir: str
    settings: JobSettings
    progress_in_db: bool = True


def worker_name() -> str:
    """host:pid of this process, recorded on the job for operators."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]
