"""The portal in its production shape for the browser tests: Gunicorn (2 workers, threads),
a Celery worker running the jobs, PostgreSQL (a fresh database) and Redis (its own db
number), as `make worker` and gunicorn.conf.py run them. Chosen with ATHENAS_E2E_SHAPE=production
(`make test-browser-prod`); needs TEST_DATABASE_URL and REDIS_URL.

The demo data and its TOTP secret stay: the shape of the processes is production's, the
settings (ATHENAS_ENV) those of a demo.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from sqlalchemy import create_engine, make_url, text

from portal.config import PROJECT_ROOT

SHAPE = os.environ.get("ATHENAS_E2E_SHAPE", "embedded")
BIN = Path(sys.executable).parent
REDIS_DB = int(os.environ.get("ATHENAS_E2E_REDIS_DB", "10"))


def enabled() -> bool:
    return SHAPE == "production"


def _services() -> tuple[str, str]:
    pg_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("REDIS_URL")
    if not pg_url or not redis_url:
        reason = "formato de produção exige TEST_DATABASE_URL e REDIS_URL (PostgreSQL e Redis reais)"
        if os.environ.get("ATHENAS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return pg_url, redis_url


@contextmanager
def services(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`env` pointed at a new PostgreSQL database and an emptied Redis db; both cleaned after."""
    pg_url, redis_base = _services()
    redis_url = urlsplit(redis_base)._replace(path=f"/{REDIS_DB}").geturl()
    store = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    store.flushdb()  # set but unreachable: this fails, never skips
    name = f"athenas_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            **env,
            "DATABASE_URL": make_url(pg_url).set(database=name).render_as_string(hide_password=False),
            "REDIS_URL": redis_url,
            "ATHENAS_JOBS_RUNNER": "celery",
        }
    finally:
        store.flushdb()
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def processes(env: dict[str, str], port: int, logs: Path) -> Iterator[str]:
    """Gunicorn on `port` and one Celery worker; yields the portal's URL once both are ready."""
    started: dict[str, subprocess.Popen[bytes]] = {}

    def start(label: str, argv: list[str], extra: dict[str, str]) -> None:
        started[label] = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env={**env, **extra},
            stdout=(logs / f"{label}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    gunicorn = {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4"}
    # Its own control socket: other Gunicorns may run on this host.
    control = ["--control-socket", str(logs / "gunicorn.ctl")]
    start("gunicorn", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *control, "wsgi:app"], gunicorn)
    worker = [str(BIN / "celery"), "-A", "portal.worker", "worker", "--pool=threads", "-c", "2"]
    options = ["--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"e2e-{port}@%h"]
    start("worker", [*worker, *options], {})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, started, logs)
        yield url
    finally:
        for proc in started.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in started.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _logs(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs.glob("*.log"))


def _wait_ready(url: str, started: dict[str, subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 60
    portal_up = False
    while time.monotonic() < deadline:
        for label, proc in started.items():
            if proc.poll() is not None:
                pytest.fail(f"{label} saiu com código {proc.returncode}\n{_logs(logs)}")
        if not portal_up:
            with suppress(requests.RequestException):
                portal_up = requests.get(f"{url}/healthz", timeout=1).status_code == 200
        worker_log = logs / "worker.log"
        if portal_up and worker_log.exists() and "ready." in worker_log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(f"o portal no formato de produção não ficou pronto a tempo\n{_logs(logs)}")
