"""The real in-process thread pool, on an app with a database of its own: the request
returns at once, the job runs in another thread, progress is visible while it runs,
cancellation and transient retries work."""

from __future__ import annotations

import re
import secrets
import threading
import time
from types import SimpleNamespace

from sqlalchemy import select

from portal.core.audit import Actor, AuditEntry
from portal.core.db import unit_of_work
from portal.core.jobs import Job, enqueue
from portal.core.jobs.context import job_dir
from portal.extensions import db as app_db
from portal.people.models import User
from tests.conftest import form_post
from tests.jobs.kinds import FLAKY_CALLS, gate


def _wait_for(client, job_id, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    data = None
    while time.monotonic() < deadline:
        data = client.get(f"/jobs/{job_id}/progress.json").get_json()
        if predicate(data):
            return data
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached the expected state: {data}")


def _enqueue(app, user, kind, **params) -> int:
    with app.app_context(), unit_of_work(app_db.new_session) as session:
        job = enqueue(session, kind, Actor(id=user.id, label=user.email), **params)
        session.flush()
        job_id = job.id
    return job_id


def test_request_returns_before_the_job_finishes_and_the_job_runs_in_a_pool_thread(
    threaded_app, threaded_client
):
    name = secrets.token_hex(4)
    seen_threads: list[str] = []
    original = gate(name).wait

    def recording_wait(timeout=None):
        seen_threads.append(threading.current_thread().name)
        return original(timeout)

    gate(name).wait = recording_wait  # type: ignore[method-assign]
    job_id = _enqueue(threaded_app, threaded_client.user, "test.gated", gate_name=name)

    running = _wait_for(threaded_client, job_id, lambda d: d["status"] == "running" and d["done"] == 1)
    assert running["percent"] == 25 and running["message"] == "Primeira etapa feita"
    assert seen_threads and seen_threads[0].startswith("athenas-job-")
    partial = threaded_client.get(f"/jobs/{job_id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in partial and "25%" in partial

    gate(name).set()
    done = _wait_for(threaded_client, job_id, lambda d: d["finished"])
    assert done["status"] == "done" and done["result"]["message"] == "Liberado e concluído."


def test_demo_started_from_the_page_moves_and_finishes(threaded_app, threaded_client, monkeypatch):
    # The demo's steps wait on the test instead of the wall clock: each released step is one
    # pause of the job, so the request returning while none is released proves it did not
    # wait for the job, and the bar is seen between steps whatever the machine's speed.
    steps = threading.Semaphore(0)
    paused = SimpleNamespace(sleep=lambda _delay: steps.acquire(timeout=20))
    monkeypatch.setattr("portal.demo.jobs.time", paused)
    response = form_post(threaded_client, "/jobs/demo", {"steps": 4}, token_page="/jobs/")
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)$", response.headers["Location"])[1])
    assert not threaded_client.get(f"/jobs/{job_id}/progress.json").get_json()["finished"]

    steps.release()
    halfway = _wait_for(threaded_client, job_id, lambda d: d["done"] == 1)
    assert halfway["percent"] == 25 and not halfway["finished"]
    steps.release(3)
    data = _wait_for(threaded_client, job_id, lambda d: d["finished"], timeout=15)
    assert data["status"] == "done" and data["percent"] == 100
    assert threaded_client.get(f"/jobs/{job_id}/file").status_code == 200


def test_owner_cancels_a_running_job_and_its_work_is_rolled_back(threaded_app, threaded_client):
    marker = f"marker-{secrets.token_hex(4)}"
    job_id = _enqueue(threaded_app, threaded_client.user, "test.until_cancelled", marker=marker)
    _wait_for(threaded_client, job_id, lambda d: d["status"] == "running" and (d["done"] or 0) >= 2)
    response = form_post(threaded_client, f"/jobs/{job_id}/cancel", token_page=f"/jobs/{job_id}")
    assert response.status_code == 302
    data = _wait_for(threaded_client, job_id, lambda d: d["finished"])
    assert data["status"] == "cancelled"
    with threaded_app.app_context(), unit_of_work(app_db.new_session) as session:
        partial = session.scalars(select(User).where(User.name == marker)).all()
        assert partial == [], "work of a cancelled job must not be committed"
        cancelled = session.scalars(select(AuditEntry).where(AuditEntry.target == f"job:{job_id}")).all()
        assert [e.action for e in cancelled] == ["job.enqueued", "job.cancelled"]
    assert not job_dir(threaded_app.config["STORAGE_DIR"], job_id).exists()


def test_transient_failures_are_retried_with_backoff(threaded_app, threaded_client):
    token = secrets.token_hex(4)
    job_id = _enqueue(threaded_app, threaded_client.user, "test.flaky", key=token, failures=2)
    data = _wait_for(threaded_client, job_id, lambda d: d["finished"])
    assert data["status"] == "done" and data["result"]["summary"] == {"Chamadas": 3}
    assert FLAKY_CALLS[token] == 3
    with threaded_app.app_context(), unit_of_work(app_db.new_session) as session:
        assert session.get(Job, job_id).attempts == 3


def test_transient_failures_give_up_after_max_attempts(threaded_app, threaded_client):
    token = secrets.token_hex(4)
    job_id = _enqueue(threaded_app, threaded_client.user, "test.flaky", key=token, failures=5)
    data = _wait_for(threaded_client, job_id, lambda d: d["finished"])
    assert data["status"] == "failed" and FLAKY_CALLS[token] == 3


def test_a_crash_in_a_thread_fails_the_job_and_the_pool_keeps_working(threaded_app, threaded_client):
    crashed = _enqueue(threaded_app, threaded_client.user, "test.crash")
    assert _wait_for(threaded_client, crashed, lambda d: d["finished"])["status"] == "failed"
    quick = _enqueue(threaded_app, threaded_client.user, "test.quick", n=2)
    assert _wait_for(threaded_client, quick, lambda d: d["finished"])["status"] == "done"
