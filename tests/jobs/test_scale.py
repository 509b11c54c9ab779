"""Scale proof: two Gunicorn instances of the portal and one Celery worker, all on the
same PostgreSQL and Redis (the machine's real servers).

- a user logs in through instance A and is recognised by instance B (signed cookies);
- a job enqueued through B is executed by the worker and its progress is read through A;
- the generated file, written by the worker, is downloaded through A (shared storage);
- the login throttle counts failures across both instances (Redis);
- killing the worker mid-job leaves the job failed, not "running" forever.

Needs REDIS_URL and TEST_DATABASE_URL; skipped (with the reason) when they are not set,
failing when they are set but the servers do not answer.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from alembic import command
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.core.db import unit_of_work
from portal.core.jobs.execution import STALE_MESSAGE
from portal.core.migrations import alembic_config
from portal.extensions import db as app_db
from tests import factories
from tests.conftest import app_settings

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SECRET = "scale-test-secret-" + secrets.token_hex(8)
REDIS_DB = int(os.environ.get("ATHENAS_SCALE_REDIS_DB", "9"))
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _required_env() -> tuple[str, str]:
    redis_url, pg_url = os.environ.get("REDIS_URL"), os.environ.get("TEST_DATABASE_URL")
    if not redis_url or not pg_url:
        pytest.skip("prova de escala exige REDIS_URL e TEST_DATABASE_URL (Redis e PostgreSQL reais)")
    return redis_url, pg_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    redis_base, pg_base = _required_env()
    redis_url = urlsplit(redis_base)._replace(path=f"/{REDIS_DB}").geturl()
    redis_client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    redis_client.ping()  # set but unreachable: fail, never skip
    redis_client.flushdb()

    name = f"athenas_scale_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(pg_base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(pg_base).set(database=name).render_as_string(hide_password=False)
    workdir = tmp_path_factory.mktemp("scale")
    processes: dict[str, subprocess.Popen] = {}
    try:
        command.upgrade(alembic_config(database_url), "head")
        setup_app = create_app(app_settings(database_url, STORAGE_DIR=str(workdir / "storage")))
        with setup_app.app_context(), unit_of_work(app_db.new_session) as session:
            users = [factories.user(session, role="operations") for _ in range(2)]  # may start the demo
            emails = [u.email for u in users]
        setup_app.extensions["athenas.db"]["engine"].dispose()

        ports = {"a": _free_port(), "b": _free_port()}
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ATHENAS_", "GUNICORN_"))},
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ATHENAS_SECRET_KEY": SECRET,
            "ATHENAS_ARGON2_CHEAP": "1",
            "ATHENAS_STORAGE_DIR": str(workdir / "storage"),
            "ATHENAS_JOBS_HEARTBEAT_SECONDS": "1",
            "ATHENAS_JOBS_STALE_AFTER_SECONDS": "3",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "PYTHONUNBUFFERED": "1",
        }

        def start(label: str, argv: list[str], extra: dict[str, str] | None = None) -> None:
            log = (workdir / f"{label}.log").open("wb")
            processes[label] = subprocess.Popen(
                argv,
                cwd=PROJECT_ROOT,
                env={**env, **(extra or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        for label, port in ports.items():
            start(
                label,
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "wsgi:app",
                    # two instances on one host need their own control sockets
                    "--control-socket",
                    str(workdir / f"{label}.ctl"),
                ],
                {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            )
        start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "portal.worker",
                "worker",
                "--pool=threads",
                "-c",
                "2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"scale-{name}@%h",
            ],
        )
        urls = {label: f"http://127.0.0.1:{port}" for label, port in ports.items()}
        _wait_ready(urls, processes, workdir)
        yield {
            "urls": urls,
            "emails": emails,
            "processes": processes,
            "database_url": database_url,
            "workdir": workdir,
            "redis": redis_client,
        }
    finally:
        for proc in processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        redis_client.flushdb()
        redis_client.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _logs(workdir: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in workdir.glob("*.log"))


def _wait_ready(urls: dict[str, str], processes: dict, workdir: Path) -> None:
    deadline = time.monotonic() + 20
    pending = dict(urls)
    worker_log = workdir / "worker.log"
    while time.monotonic() < deadline:
        for label, proc in processes.items():
            if proc.poll() is not None:
                pytest.fail(f"{label} saiu com código {proc.returncode}\n{_logs(workdir)}")
        for label, url in list(pending.items()):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    pending.pop(label)
            except requests.RequestException:
                pass
        if not pending and worker_log.exists() and "ready." in worker_log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(f"o cluster não ficou pronto a tempo\n{_logs(workdir)}")


def _csrf(session: requests.Session, url: str) -> str:
    match = CSRF_META.search(session.get(url, timeout=5).text)
    assert match, f"sem token CSRF em {url}"
    return match[1]


def _login(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    token = _csrf(session, f"{base}/login")
    return session.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


def _start_demo(session: requests.Session, base: str, steps: int) -> int:
    token = _csrf(session, f"{base}/jobs/")
    response = session.post(
        f"{base}/jobs/demo", data={"steps": steps, "csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"])[1])


def _poll(session: requests.Session, base: str, job_id: int, until, timeout: float = 15) -> list[dict]:
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = session.get(f"{base}/jobs/{job_id}/progress.json", timeout=5).json()
        seen.append(data)
        if until(data):
            return seen
        time.sleep(0.15)
    raise AssertionError(f"job {job_id}: estado esperado não alcançado; visto: {seen[-3:]}")


def _job_row(database_url: str, job_id: int) -> dict:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return dict(
                conn.execute(text("SELECT * FROM jobs WHERE id = :id"), {"id": job_id}).mappings().one()
            )
    finally:
        engine.dispose()


def test_two_app_servers_and_a_worker_share_sessions_jobs_files_and_throttle(cluster):
    a, b = cluster["urls"]["a"], cluster["urls"]["b"]
    user_email, other_email = cluster["emails"]

    # Logged in through A, recognised by B.
    browser_a = requests.Session()
    assert _login(browser_a, a, user_email, factories.PASSWORD).status_code == 302
    browser_b = requests.Session()
    browser_b.cookies.update(browser_a.cookies)
    page_b = browser_b.get(f"{b}/jobs/", allow_redirects=False, timeout=5)
    assert page_b.status_code == 200 and "Meus processos" in page_b.text

    # Enqueued through B, executed by the worker, progress read through A.
    job_id = _start_demo(browser_b, b, steps=8)
    seen = _poll(browser_a, a, job_id, lambda d: d["finished"])
    assert seen[-1]["status"] == "done", seen[-1]
    moving = [d["percent"] for d in seen if d["status"] == "running" and d["percent"] not in (None, 0, 100)]
    assert moving, f"o progresso não foi visto pela instância A: {seen}"
    row = _job_row(cluster["database_url"], job_id)
    assert row["worker"].endswith(f":{cluster['processes']['worker'].pid}"), row["worker"]
    download = browser_a.get(f"{a}/jobs/{job_id}/file", timeout=5)
    assert download.status_code == 200 and download.text.startswith("Indicador;Total")

    # The throttle counts failures on both instances (default: 5 per 15 minutes).
    attacker = requests.Session()
    for base in (a, b, a, b, a):
        assert _login(attacker, base, other_email, "senha-errada-000").status_code == 401
    blocked = _login(attacker, b, other_email, factories.PASSWORD)
    assert blocked.status_code == 429 and "Muitas tentativas" in blocked.text


def test_a_worker_killed_mid_job_leaves_the_job_failed(cluster):
    a, b = cluster["urls"]["a"], cluster["urls"]["b"]
    browser = requests.Session()
    cluster["redis"].flushdb()  # forget the throttle counters of the previous test
    assert _login(browser, a, cluster["emails"][0], factories.PASSWORD).status_code == 302
    job_id = _start_demo(browser, a, steps=80)
    _poll(browser, b, job_id, lambda d: d["status"] == "running" and (d["percent"] or 0) > 0)

    worker = cluster["processes"]["worker"]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)

    still = browser.get(f"{b}/jobs/{job_id}/progress.json", timeout=5).json()
    assert still["status"] == "running"
    time.sleep(3.5)  # ATHENAS_JOBS_STALE_AFTER_SECONDS=3: no heartbeat since the kill
    assert browser.get(f"{b}/jobs/", timeout=5).status_code == 200  # the list sweeps stale jobs
    data = browser.get(f"{a}/jobs/{job_id}/progress.json", timeout=5).json()
    assert data["status"] == "failed" and data["error"] == STALE_MESSAGE
