"""Fault suite fixtures: a PostgreSQL cluster and a redis-server of the test's own, on free
ports, that the test may stop and start at will — never the machine's shared services,
which the rest of the suite is using at the same time.

The suite runs on the PostgreSQL pass only (ATHENAS_TEST_BACKEND=postgresql); on any other
pass its tests are deselected (not skipped). On the PostgreSQL pass a missing `initdb` or
`redis-server` FAILS the test: the pass promised these services.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from flask import Flask

from portal import create_app
from portal.core.migrations import alembic_config
from tests.conftest import BACKEND, app_settings

FAULTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND == "postgresql":
        return
    ours = [item for item in items if Path(str(item.fspath)).is_relative_to(FAULTS_DIR)]
    if ours:
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if item not in ours]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, up: bool, timeout: float = 20.0) -> None:
    """Wait until 127.0.0.1:`port` accepts connections (`up`) or refuses them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    pytest.fail(f"porta {port} não ficou {'disponível' if up else 'livre'} em {timeout}s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [p for p in [shutil.which(name)] if p]
    if not found:
        pytest.fail(f"{name} não encontrado: o teste de falhas exige o PostgreSQL instalado")
    return found[-1]


class PrivatePostgres:
    """A throwaway cluster (initdb in a temporary directory, trust auth on 127.0.0.1)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="athenas-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_root = os.geteuid() == 0
        if self._as_root:  # PostgreSQL refuses to run as root
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(
            _pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *argv] if self._as_root else list(argv)
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            pytest.fail(f"{' '.join(argv)} falhou: {result.stdout}{result.stderr}{log[-2000:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        _wait_port(self.port, up=True)

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        _wait_port(self.port, up=False)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def cleanup(self) -> None:
        if self.running():
            subprocess.run(
                (["runuser", "-u", "postgres", "--"] if self._as_root else [])
                + [_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A redis-server; without persistence (`persistent=False`) a restart loses everything
    it held. A broker must be persistent (append-only file, fsync on every write), as in
    production: the queued jobs then survive a restart."""

    def __init__(self, persistent: bool = False) -> None:
        self.persistent = persistent
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.fail("redis-server não encontrado: o teste de falhas exige o Redis instalado")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="athenas-faults-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            self.binary or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes" if self.persistent else "no",
            "--appendfsync",
            "always",
            "--dir",
            str(self.root),
        ]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
        _wait_port(self.port, up=False)

    def cleanup(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
        shutil.rmtree(self.root, ignore_errors=True)


_Server = TypeVar("_Server", PrivatePostgres, PrivateRedis)


def _running(server: _Server) -> Iterator[_Server]:
    """Start `server` for the test; stopped and removed afterwards, whatever happened."""
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL of this test's own (stopped and removed afterwards)."""
    yield from _running(PrivatePostgres())


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running redis-server of this test's own (stopped and removed afterwards)."""
    yield from _running(PrivateRedis())


@pytest.fixture
def private_broker() -> Iterator[PrivateRedis]:
    """A running, persistent redis-server of this test's own: the Celery broker."""
    yield from _running(PrivateRedis(persistent=True))


# Process-wide state that create_app (re)configures: put back after a fault test's own app,
# so the rest of the run keeps the session app's registry, key ring and bank store.
@pytest.fixture
def portal_on(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build a migrated portal app on a private server's database (the process-wide state
    the app configures is put back after the test by tests/conftest.py)."""
    built: list[Flask] = []

    def _build(database_url: str, **overrides: object) -> Flask:
        app = create_app(app_settings(database_url, STORAGE_DIR=str(tmp_path / "storage"), **overrides))
        with app.app_context():
            command.upgrade(alembic_config(database_url), "head")
        built.append(app)
        return app

    try:
        yield _build
    finally:
        for app in built:
            app.extensions["athenas.db"]["engine"].dispose()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.1) -> float:
    """Poll `check` until it holds; the seconds it took (fails after `timeout`)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condição não atendida em {timeout}s")
        time.sleep(step)
    return time.monotonic() - started


# The sandbox bank process of the bank tests (session-wide, started on first use).
from tests.banks.conftest import sandbox  # noqa: E402, F401

# A real Celery worker process on the private services (tests/faults/worker.py).
from tests.faults.worker import celery_worker  # noqa: E402, F401


@pytest.fixture
def closed_breaker(app: Flask) -> Iterator[Callable[[str], None]]:
    """`closed_breaker(code)`: the bank's circuit starts closed and is closed again after
    the test (the breaker lives in the process-wide store other bank tests use too)."""
    from portal.banks.resilience import CircuitBreaker

    codes: list[str] = []

    def _reset(code: str) -> None:
        store = app.extensions["athenas.bank_store"]
        CircuitBreaker(store, code, code, threshold=1, cooldown_s=1).record_success()

    def _close(code: str) -> None:
        _reset(code)
        codes.append(code)

    try:
        yield _close
    finally:
        for code in codes:
            _reset(code)
