"""Celery settings shared by the web side (publisher) and the worker.

acks_late + reject_on_worker_lost: a task whose worker dies before finishing is
redelivered; the claim (queued → running) makes a redelivered task for a job that
already started a no-op, and the stale sweep then marks that job failed.
The Redis visibility timeout must exceed the longest job, or Redis would hand a
still-running task to a second worker (the claim would skip it anyway).

Redis down or restarted: the worker keeps retrying the broker (never gives up) and a
job already running goes on to the end (not cancelled on connection loss: its work
lives in PostgreSQL, and a redelivered copy claims nothing). Jobs still queued survive
only if the broker Redis is persistent (appendonly yes): see README, production.
"""

from __future__ import annotations

from typing import Any

from portal.core.jobs.settings import JobSettings

RUN_TASK = "athenas.jobs.run"
SWEEP_TASK = "athenas.jobs.sweep"
PERIODIC_TASK = "athenas.jobs.enqueue_periodic"
QUEUE = "athenas"
SWEEP_EVERY_SECONDS = 60.0


def celery_settings(broker_url: str, settings: JobSettings) -> dict[str, Any]:
    return {
        "broker_url": broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,  # wait for Redis as long as it takes
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "broker_connection_timeout": max(1.0, settings.broker_timeout_seconds),
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_seconds,
            "socket_connect_timeout": max(1.0, settings.broker_timeout_seconds),
        },
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "task_default_queue": QUEUE,
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.max_runtime_seconds,
        "task_time_limit": settings.max_runtime_seconds + 60,
        "worker_hijack_root_logger": False,
        "timezone": "America/Sao_Paulo",
        "enable_utc": True,
    }
