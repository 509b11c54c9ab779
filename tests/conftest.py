"""Shared fixtures: one migrated database per run (SQLite or PostgreSQL), a SAVEPOINT
per test, a real test client with CSRF on, and `login_as(role)` through the real form.

ATHENAS_TEST_BACKEND=postgresql runs everything on a database created (and dropped)
under TEST_DATABASE_URL's server.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.banks import service as bank_service
from portal.core import crypto, passwords
from portal.core.backups import settings as backup_settings
from portal.core.db import utcnow
from portal.core.migrations import alembic_config
from portal.people import mfa, sessions
from tests import factories

BACKEND = os.environ.get("ATHENAS_TEST_BACKEND", "sqlite")
TEST_SECRET = "test-secret-key-for-pytest-only"


def pytest_report_header(config: pytest.Config) -> str:
    return f"athenas: banco de testes = {BACKEND}"


@contextmanager
def empty_database(directory: Path, label: str) -> Iterator[str]:
    """URL of a new, empty database on the test backend (a PostgreSQL one is dropped after)."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{directory / f'athenas-{label}.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.fail("ATHENAS_TEST_BACKEND=postgresql exige TEST_DATABASE_URL")
    name = f"athenas_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


def app_settings(database_url: str, **overrides: object) -> dict[str, object]:
    """Settings for a test app: isolated from the developer's REDIS_URL unless asked."""
    settings: dict[str, object] = {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "ARGON2_CHEAP": True,
        "SECRET_KEY": TEST_SECRET,
        "REDIS_URL": "",
        "JOBS_RUNNER": "inprocess",
    }
    settings.update(overrides)
    return settings


# What an app factory installs process-wide. A test that builds an app of its own (a dead
# Redis, production keys) must not leave it to the tests after it in the same process: a
# dead Redis session registry once turned every later login into a 503.
PROCESS_WIDE = [
    (sessions, "_registry"),
    (crypto, "_current_ring"),
    (bank_service, "_default_store"),
    (passwords, "_hasher"),
    (backup_settings, "_settings"),
]


@pytest.fixture(autouse=True)
def _process_wide_configuration_restored() -> Iterator[None]:
    saved = [(module, name, getattr(module, name)) for module, name in PROCESS_WIDE]
    yield
    for module, name, value in saved:
        setattr(module, name, value)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    storage = tmp_path_factory.mktemp("storage")
    application = create_app(app_settings(database_url, STORAGE_DIR=str(storage)))
    with application.app_context():
        command.upgrade(alembic_config(database_url), "head")
    yield application
    application.extensions["athenas.db"]["engine"].dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session inside an outer transaction rolled back after the test; the app's
    request sessions join it, so their commits only release SAVEPOINTs."""
    state = app.extensions["athenas.db"]
    connection = state["engine"].connect()
    outer = connection.begin()
    state["connection"] = connection
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    app.extensions["athenas.throttle"].storage.reset()
    # Unit tests of the kernel may swap the process-wide key ring; restore the app's.
    crypto.configure_keyring(app.extensions["athenas.keyring"])
    try:
        yield session
    finally:
        session.close()
        state.pop("connection", None)
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token_from(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a real page hands to the browser."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, f"sem token CSRF em {path}"
    return match.group(1)


def form_post(
    client: FlaskClient,
    path: str,
    data: dict[str, object] | None = None,
    token_page: str = "/login",
    **kwargs: object,
):
    """POST like the browser does: with the page's CSRF token."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token_from(client, token_page)
    return client.post(path, data=payload, **kwargs)


def complete_mfa(client: FlaskClient, secret: str, **kwargs: object):
    """The login's second step with the current TOTP code of `secret`."""
    code = pyotp.TOTP(secret).now()
    return form_post(client, "/login/mfa", {"code": code}, token_page="/login/mfa", **kwargs)


def sign_in(client: FlaskClient, db: Session, user: object, **kwargs: object):
    """Sign `user` in through the real form; a user of an MFA role is enrolled first (a
    random secret) and passes the TOTP step too."""
    if mfa.needs_enrolment(user):
        user.mfa_secret = pyotp.random_base32()
        user.mfa_enabled_at = utcnow()
        db.flush()
    response = form_post(client, "/login", {"email": user.email, "password": factories.PASSWORD}, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if user.mfa_enabled:
        assert response.headers["Location"].endswith("/login/mfa")
        response = complete_mfa(client, user.mfa_secret, **kwargs)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client: FlaskClient, db: Session) -> Callable[..., object]:
    """Create a user with `role` and sign in through the real login form; the roles that
    require MFA come enrolled and pass the TOTP step too."""

    def _login(role: str, **fields: object):
        user = factories.user(db, role=role, **fields)
        sign_in(client, db, user)
        return user

    return _login
