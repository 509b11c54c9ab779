"""The Celery side without a broker: task names, beat schedule from code, and the
sweep / periodic tasks run against the test database."""

from __future__ import annotations

from datetime import timedelta

from portal.core.db import utcnow
from portal.core.jobs import Job, periodic
from portal.core.jobs.celery_config import PERIODIC_TASK, RUN_TASK, SWEEP_TASK
from portal.core.jobs.registry import PERIODIC
from portal.worker import beat_schedule, make_celery
from tests import factories


def test_celery_is_configured_for_at_least_once_delivery_without_double_runs(app):
    celery = make_celery(app)
    conf = celery.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    # Redis restarted: the worker reconnects (at start-up too, forever) and lets the job
    # it is running finish instead of cancelling it.
    assert conf.broker_connection_retry_on_startup and conf.broker_connection_retry
    assert conf.broker_connection_max_retries is None
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is False
    assert {RUN_TASK, SWEEP_TASK, PERIODIC_TASK} <= set(celery.tasks)


def test_beat_schedule_lives_in_code(app):
    periodic("test.quick", 300, n=2)
    try:
        schedule = beat_schedule()
    finally:
        PERIODIC.pop()
    assert schedule["jobs-sweep-stale"]["task"] == SWEEP_TASK
    entry = schedule["periodic-test.quick"]
    assert entry == {"task": PERIODIC_TASK, "schedule": 300, "args": ["test.quick"], "kwargs": {"n": 2}}


def test_periodic_task_enqueues_a_system_job_that_runs(app, db, manual_runner):
    celery = make_celery(app)
    celery.tasks[PERIODIC_TASK]("test.quick", n=2)
    assert len(manual_runner.dispatched) == 1
    job_id = manual_runner.dispatched[0]
    manual_runner.run_all()
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.actor_id, job.actor_label) == ("done", None, "sistema")


def test_sweep_task_fails_stale_jobs(app, db):
    user = factories.user(db)
    old = utcnow() - timedelta(hours=1)
    job = Job(
        kind="test.quick",
        params={},
        actor_id=user.id,
        actor_label=user.email,
        status="running",
        progress_done=0,
        progress_message="",
        created_at=old,
        started_at=old,
        heartbeat_at=old,
    )
    db.add(job)
    db.flush()
    assert make_celery(app).tasks[SWEEP_TASK]() >= 1
    db.refresh(job)
    assert job.status == "failed"


def test_run_task_retries_transient_failures_through_celery(app, db, manual_runner):
    from portal.core.audit import Actor
    from portal.core.jobs import enqueue
    from tests.jobs.kinds import FLAKY_CALLS

    user = factories.user(db)
    job = enqueue(db, "test.flaky", Actor(id=user.id, label=user.email), key="celery-retry", failures=1)
    result = make_celery(app).tasks[RUN_TASK].apply(args=[job.id])  # eager: a retry runs again at once
    assert result.successful(), result.traceback
    db.refresh(job)
    assert (job.status, job.attempts, FLAKY_CALLS["celery-retry"]) == ("done", 2, 2)
