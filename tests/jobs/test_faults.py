"""Faults: Redis down in production mode, stale jobs, settings that cannot work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.core.db import utcnow
from portal.core.jobs import CeleryRunner, Job, JobSettings, sweep_stale
from portal.core.jobs.execution import NOT_STARTED_MESSAGE, STALE_MESSAGE
from tests import factories
from tests.conftest import app_settings, form_post

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def celery_runner_without_redis(app, db):
    service = app.extensions["athenas.jobs"]
    original = service.runner
    service.runner = CeleryRunner(service.env, DEAD_REDIS)
    db.info["athenas.jobs"] = service
    try:
        yield service.runner
    finally:
        service.runner = original


def test_redis_down_gives_a_portuguese_503_and_writes_nothing(
    client, login_as, db, celery_runner_without_redis
):
    login_as("operations")
    jobs_before = db.scalar(select(func.count()).select_from(Job))
    response = form_post(client, "/jobs/demo", {"steps": 3}, token_page="/jobs/")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Serviço de processamento indisponível" in html and "Nenhum processo foi criado" in html
    assert db.scalar(select(func.count()).select_from(Job)) == jobs_before
    # Pages that do not start jobs keep working.
    assert client.get("/jobs/").status_code == 200
    assert client.get("/operations/proposals").status_code == 200


def test_redis_down_as_htmx_fragment(client, login_as, db, celery_runner_without_redis):
    login_as("operations")
    token = client.get("/jobs/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post(
        "/jobs/demo", data={"steps": 3}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 503
    assert "<html" not in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash-area"


def test_app_starts_and_serves_without_redis_in_production_mode(database_url, tmp_path):
    """No Redis at import or at app start: only enqueuing needs it."""
    app = create_app(
        app_settings(
            database_url,
            REDIS_URL=DEAD_REDIS,
            RATELIMIT_STORAGE_URI=DEAD_REDIS,
            JOBS_RUNNER="celery",
            STORAGE_DIR=str(tmp_path),
        )
    )
    try:
        client = app.test_client()
        assert client.get("/login").status_code == 200
        assert client.get("/healthz").status_code == 200
        # Signing in needs the throttle's counters: refused with a clear 503, never a 500.
        login = form_post(client, "/login", {"email": "alguem@x.com", "password": "senha-qualquer-1"})
        assert login.status_code == 503
        assert "tentativas de login" in login.get_data(as_text=True)
    finally:
        app.extensions["athenas.db"]["engine"].dispose()


def _job(db, user, status, created, heartbeat=None):
    job = Job(
        kind="test.quick",
        params={},
        actor_id=user.id,
        actor_label=user.email,
        status=status,
        progress_done=0,
        progress_message="",
        created_at=created,
        started_at=created if status == "running" else None,
        heartbeat_at=heartbeat,
    )
    db.add(job)
    db.flush()
    return job


def test_sweep_fails_dead_and_forgotten_jobs_only(db):
    user = factories.user(db)
    now = utcnow()
    settings = JobSettings(heartbeat_seconds=10, stale_after_seconds=60, queued_timeout_seconds=3600)
    dead = _job(db, user, "running", now - timedelta(minutes=30), now - timedelta(minutes=5))
    slow_but_alive = _job(db, user, "running", now - timedelta(hours=3), now - timedelta(seconds=20))
    live_here = _job(db, user, "running", now - timedelta(minutes=30), now - timedelta(minutes=5))
    forgotten = _job(db, user, "queued", now - timedelta(hours=2))
    waiting = _job(db, user, "queued", now - timedelta(minutes=5))
    assert sweep_stale(db, settings, exclude_ids={live_here.id}) == 2
    for job in (dead, slow_but_alive, live_here, forgotten, waiting):
        db.refresh(job)
    assert (dead.status, dead.error) == ("failed", STALE_MESSAGE) and dead.finished_at is not None
    assert (forgotten.status, forgotten.error) == ("failed", NOT_STARTED_MESSAGE)
    assert slow_but_alive.status == live_here.status == "running"
    assert waiting.status == "queued"
    assert sweep_stale(db, settings) == 1  # live_here, once its process no longer claims it


def test_settings_refuse_a_visibility_timeout_shorter_than_the_longest_job():
    with pytest.raises(ValueError, match="VISIBILITY"):
        JobSettings(max_runtime_seconds=3600, visibility_timeout_seconds=1800)
    with pytest.raises(ValueError, match="STALE"):
        JobSettings(heartbeat_seconds=60, stale_after_seconds=90)
