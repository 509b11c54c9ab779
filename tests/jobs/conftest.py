"""Fixtures for the jobs tests.

- `manual_runner`: the shared test app's runner replaced by one that records dispatched
  job ids; `run_all()` executes them in the test thread (all sessions share the test's
  SAVEPOINT connection, which must never be used from two threads).
- `threaded_app` / `threaded_client`: an app with its own database (SQLite file or a
  fresh PostgreSQL database) and the real in-process thread pool, for the tests that
  prove jobs run outside the request.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from portal.core.db import unit_of_work
from portal.core.jobs import InProcessRunner, JobEnvironment, run_job
from portal.core.migrations import alembic_config
from portal.extensions import db as app_db
from tests import factories
from tests.conftest import BACKEND, app_settings, form_post
from tests.jobs import kinds  # noqa: F401  (registers the test job kinds)


class ManualRunner(InProcessRunner):
    """The in-process runner without threads: dispatches are recorded and the test
    decides when they run (synchronously, in the test thread)."""

    name = "manual"

    def __init__(self, env: JobEnvironment) -> None:
        super().__init__(env)
        self.dispatched: list[int] = []

    def dispatch(self, job_id: int) -> None:
        self.dispatched.append(job_id)

    def run_all(self) -> None:
        while self.dispatched:
            run_job(self.env, self.dispatched.pop(0), self.board)


@pytest.fixture
def manual_runner(app: Flask, db) -> Iterator[ManualRunner]:
    service = app.extensions["athenas.jobs"]
    original = service.runner
    runner = ManualRunner(service.env)
    service.runner = runner
    db.info["athenas.jobs"] = service  # the test's own session may enqueue too
    try:
        yield runner
    finally:
        service.runner = original


@pytest.fixture(scope="module")
def isolated_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own, migrated to head: real commits, real threads."""
    if BACKEND != "postgresql":
        url = f"sqlite:///{tmp_path_factory.mktemp('threaded') / 'jobs.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    base = os.environ["TEST_DATABASE_URL"]
    name = f"athenas_jobs_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def threaded_app(isolated_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    storage = tmp_path_factory.mktemp("threaded-storage")
    application = create_app(
        app_settings(
            isolated_database_url,
            STORAGE_DIR=str(storage),
            JOBS_HEARTBEAT_SECONDS=1,
            JOBS_STALE_AFTER_SECONDS=5,
        )
    )
    yield application
    application.extensions["athenas.db"]["engine"].dispose()


@pytest.fixture
def threaded_user(threaded_app: Flask):
    """Factory: a committed user of the threaded app's database."""

    def _make(role: str = "agent"):
        with threaded_app.app_context(), unit_of_work(app_db.new_session) as session:
            user = factories.user(session, role=role)
            session.expunge(user)
        return user

    return _make


@pytest.fixture
def threaded_client(threaded_app: Flask, threaded_user):
    """A test client signed in as a new operations user of the threaded app (a role that
    may start the demo job)."""
    client = threaded_app.test_client()
    user = threaded_user("operations")
    response = form_post(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    client.user = user  # type: ignore[attr-defined]
    return client
