"""What other web areas use to start jobs: `start_job(kind, **params)`."""

from __future__ import annotations

from flask import current_app

from portal.core.jobs import Job, JobService, enqueue
from portal.extensions import db
from portal.web.access import current_actor


def jobs_service() -> JobService:
    return current_app.extensions["athenas.jobs"]


def start_job(kind: str, **params: object) -> Job:
    """Enqueue `kind` for the signed-in user in this request's transaction; it starts
    once the request commits. Raises JobsUnavailable (→ 503 page) when Redis is down."""
    return enqueue(db.session, kind, current_actor(), **params)
