"""Writes: enqueue and cancel jobs. Services flush, never commit.

A job is handed to its runner only after the transaction that inserted it commits
(a SQLAlchemy `after_commit` hook), so a worker never looks for a row it cannot see
yet, and a request that fails after enqueuing starts nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import Conflict, Forbidden
from portal.core.jobs.execution import mark_failed
from portal.core.jobs.models import Job, JobStatus
from portal.core.jobs.registry import get_kind
from portal.core.jobs.runners import UNAVAILABLE_MESSAGE, Runner
from portal.core.jobs.settings import JobEnvironment

log = logging.getLogger("portal.jobs")

SESSION_KEY = "athenas.jobs"
_PENDING_KEY = "athenas.jobs.pending"
MAX_PARAMS_BYTES = 4096
# Parameters are stored in clear: ids and options only, never personal data.
_SENSITIVE_PARAM_PARTS = (
    "cpf",
    "password",
    "senha",
    "secret",
    "token",
    "phone",
    "telefone",
    "benefit_number",
    "bank_account",
)


@dataclass
class JobService:
    """The app's runner and environment; sessions made by the app carry it in `info`."""

    env: JobEnvironment
    runner: Runner


def service_for(session: Session) -> JobService:
    service = session.info.get(SESSION_KEY)
    if service is None:
        raise RuntimeError("this session has no job service (create it through the app's db)")
    return service


def check_params(params: dict[str, Any]) -> None:
    """Refuse names that suggest personal data and anything that is not small JSON."""
    for name in params:
        if any(part in name.lower() for part in _SENSITIVE_PARAM_PARTS):
            raise ValueError(f"job parameter {name!r} looks like personal data; pass an id instead")
    try:
        encoded = json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"job parameters must be plain JSON: {error}") from None
    if len(encoded.encode()) > MAX_PARAMS_BYTES:
        raise ValueError("job parameters too large; store data in a table and pass its id")


def enqueue(session: Session, kind: str, actor: Actor, /, **params: Any) -> Job:
    """Record a queued job of `kind` started by `actor`; it runs after this session commits.

    Raises `JobsUnavailable` (a 503 for the web) before writing anything when the
    runner cannot take jobs now (Redis down in production).
    """
    if get_kind(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    check_params(params)
    service = service_for(session)
    service.runner.check_available()
    job = Job(
        kind=kind,
        params=params,
        actor_id=actor.id,
        actor_label=actor.label[:200],
        status=JobStatus.QUEUED,
        progress_done=0,
        progress_message="Na fila, aguardando um executor.",
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    if actor.id is not None:
        audit.record(session, actor, "job.enqueued", f"job:{job.id}", {"kind": kind})
    session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


def request_cancel(session: Session, job: Job, actor: Actor) -> Job:
    """Only the owner cancels. A queued job is cancelled at once; a running one gets a
    flag its body sees at its next check (the runner then records the cancellation)."""
    check_can_cancel(job, actor)
    job.cancel_requested = True
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.finished_at = utcnow()
        job.progress_message = "Cancelado antes de começar."
        audit.record(session, actor, "job.cancelled", f"job:{job.id}", {"kind": job.kind})
    else:
        job.progress_message = "Cancelamento solicitado; aguardando o processo parar."
    session.flush()
    return job


def check_can_cancel(job: Job, actor: Actor) -> None:
    if job.actor_id is None or job.actor_id != actor.id:
        raise Forbidden("Somente quem iniciou o processo pode cancelá-lo.")
    if job.finished:
        raise Conflict("Este processo já terminou e não pode mais ser cancelado.")


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    service = service_for(session)
    for job_id in pending:
        try:
            service.runner.dispatch(job_id)
        except Exception:
            # Redis vanished between the ping and the publish: say so on the job page.
            log.exception("job %s: dispatch failed", job_id)
            try:
                mark_failed(service.env, job_id, UNAVAILABLE_MESSAGE)
            except Exception:
                log.exception("job %s: could not record the dispatch failure", job_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list was already popped; after a rollback nothing may start.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING_KEY, None)
