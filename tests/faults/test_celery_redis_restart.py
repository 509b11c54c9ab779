"""Redis, the Celery broker, restarted while a real worker runs one job and others wait in
the queue: with a persistent broker (append-only file) the queued jobs survive the restart,
the worker reconnects by itself, the job that was running finishes and every queued job
then runs — none is lost, none runs twice."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import SYSTEM
from portal.core.jobs import Job, JobStatus, enqueue
from portal.demo.jobs import DEMO_KIND
from portal.extensions import db
from tests.faults.conftest import wait_until
from tests.faults.worker import job_settings

pytestmark = pytest.mark.faults

JOBS = 4


def _statuses(engine, ids: list[int]) -> list[tuple[JobStatus, int]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Job.id, Job.status, Job.attempts).where(Job.id.in_(ids)).order_by(Job.id)
        )
        return [(status, attempts) for _id, status, attempts in rows]


def test_queued_and_running_jobs_survive_a_broker_restart(
    private_postgres, private_broker, portal_on, celery_worker
):
    app = portal_on(
        private_postgres.url, REDIS_URL=private_broker.url, JOBS_RUNNER="celery", **job_settings()
    )
    engine = app.extensions["athenas.db"]["engine"]
    worker = celery_worker(private_postgres.url, private_broker.url)
    worker.start(concurrency=1)

    with app.app_context():
        session = db.new_session()
        try:
            # Each job takes about 2 s; one runs at a time, the others wait in Redis.
            ids = [enqueue(session, DEMO_KIND, SYSTEM, steps=8, delay=0.25).id for _ in range(JOBS)]
            session.commit()
        finally:
            session.close()

    wait_until(lambda: _statuses(engine, ids)[0][0] == JobStatus.RUNNING, timeout=20)
    assert [s for s, _ in _statuses(engine, ids)[1:]] == [JobStatus.QUEUED] * (JOBS - 1)

    private_broker.stop()
    time.sleep(1.0)  # the worker notices the broker is gone; the running job goes on
    private_broker.start()

    # Every job ends done, each run exactly once (a redelivery would claim nothing).
    wait_until(lambda: all(s == JobStatus.DONE for s, _ in _statuses(engine, ids)), timeout=40)
    assert _statuses(engine, ids) == [(JobStatus.DONE, 1)] * JOBS, worker.tail()
    log = worker.log.read_text(errors="replace")
    assert "Connection to broker lost" in log or "Cannot connect to redis" in log, worker.tail()
