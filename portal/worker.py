"""Celery entry point (production): the worker runs jobs, beat schedules periodic ones.

    celery -A portal.worker worker --loglevel=INFO          # N of these, anywhere
    celery -A portal.worker beat --loglevel=INFO            # exactly one

Both read the same environment as the web servers (DATABASE_URL, REDIS_URL,
ATHENAS_STORAGE_DIR, keys). The task only loads the job row and runs its body.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from portal import create_app
from portal.core.audit import SYSTEM
from portal.core.db import unit_of_work
from portal.core.jobs import JobService, enqueue, run_job, sweep_stale
from portal.core.jobs.celery_config import (
    PERIODIC_TASK,
    RUN_TASK,
    SWEEP_EVERY_SECONDS,
    SWEEP_TASK,
    celery_settings,
)
from portal.core.jobs.registry import PERIODIC
from portal.extensions import db

log = logging.getLogger("portal.worker")


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The periodic schedule, in code: the stale sweep plus every `periodic(...)` entry."""
    schedule: dict[str, dict[str, Any]] = {
        "jobs-sweep-stale": {"task": SWEEP_TASK, "schedule": SWEEP_EVERY_SECONDS},
    }
    for entry in PERIODIC:
        schedule[f"periodic-{entry.kind}"] = {
            "task": PERIODIC_TASK,
            "schedule": entry.every_seconds,
            "args": [entry.kind],
            "kwargs": entry.params,
        }
    return schedule


def make_celery(flask_app: Any) -> Celery:
    service: JobService = flask_app.extensions["athenas.jobs"]
    broker = flask_app.config["REDIS_URL"] or "memory://"
    celery_app = Celery("athenas")
    celery_app.conf.update(celery_settings(broker, service.env.settings))
    celery_app.conf.beat_schedule = beat_schedule()

    @celery_app.task(name=RUN_TASK, bind=True, max_retries=None, shared=False)
    def run(task: Task, job_id: int) -> None:
        outcome = run_job(service.env, int(job_id))
        if outcome.retry_in is not None:
            raise task.retry(countdown=outcome.retry_in)

    @celery_app.task(name=SWEEP_TASK, shared=False)
    def sweep() -> int:
        with flask_app.app_context(), unit_of_work(db.new_session) as session:
            return sweep_stale(session, service.env.settings)

    @celery_app.task(name=PERIODIC_TASK, shared=False)
    def enqueue_periodic(kind: str, **params: Any) -> None:
        with flask_app.app_context(), unit_of_work(db.new_session) as session:
            enqueue(session, kind, SYSTEM, **params)

    return celery_app


# Named `celery` (not `app`): `celery -A portal.worker` looks for `app` first.
flask_app = create_app()
celery = make_celery(flask_app)
