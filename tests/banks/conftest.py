"""Fixtures for the bank layer: the sandbox bank as a real separate process, settings, stores.

Tests use short timeouts (read 1 s or less), a breaker cool-down of half a second and a
sandbox started with a 2 s "slow" delay and a 5 s "timeout" hold, so the whole suite stays
fast while exercising real sockets.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import redis
import requests

from portal.banks.protocol import BaseConnector
from portal.banks.registry import build_connector
from portal.banks.state import MemoryStore, RedisStore, StateStore
from portal.banks.types import BankSettings, OperatorCredentials
from tests.banks.helpers import CERTIFIED_CPF, CREDENTIALS, NAMES, ROOT, WEBHOOK_SECRET


@dataclass
class Sandbox:
    """Handle on the running sandbox process."""

    url: str

    def calls(self) -> dict[str, int]:
        return requests.get(f"{self.url}/_sandbox/calls", timeout=5).json()["calls"]

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/_sandbox{path}", timeout=5, **kwargs)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """Start ``python -m sandbox_bank`` on a free port; kill it at the end."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox_bank",
            "--port",
            str(port),
            "--slow-delay",
            "2",
            "--timeout-delay",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a loaded CI machine can take long to boot Python
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "died")
            try:
                if requests.get(f"{url}/_sandbox/health", timeout=0.5).ok:
                    break
            except requests.RequestException:  # not listening yet, or too busy to answer
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox bank did not start")
            time.sleep(0.05)
        yield Sandbox(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.fixture
def settings_for(sandbox: Sandbox) -> Callable[..., BankSettings]:
    """BankSettings pointing at the sandbox with short, test-friendly timings."""

    def make(code: str, **overrides: Any) -> BankSettings:
        base = BankSettings(
            code=code,
            name=NAMES[code],
            base_url=f"{sandbox.url}/{code}",
            credentials=dict(CREDENTIALS[code]),
            connect_timeout=1.0,
            read_timeout=1.0,
            webhook_secret=WEBHOOK_SECRET,
            breaker_threshold=3,
            breaker_cooldown_s=0.5,
            max_retries=2,
            retry_backoff_s=0.01,
        )
        return replace(base, **overrides)

    return make


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def operator() -> OperatorCredentials:
    return OperatorCredentials(login="agente.teste", certified_cpf=CERTIFIED_CPF, password="x")


@pytest.fixture
def connect(
    settings_for: Callable[..., BankSettings], store: StateStore, operator: OperatorCredentials
) -> Callable[..., BaseConnector]:
    """``connect("facta", read_timeout=0.5)`` -> a connector on the sandbox."""

    def make(code: str, *, with_store: StateStore | None = None, **overrides: Any) -> BaseConnector:
        connector = build_connector(settings_for(code, **overrides), with_store or store, operator)
        assert isinstance(connector, BaseConnector)
        return connector

    return make


LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def redis_url_for_tests() -> str:
    """The Redis the tests use: REDIS_URL when set (CI, another port), else the local one."""
    return os.environ.get("REDIS_URL") or LOCAL_REDIS


@pytest.fixture
def redis_store() -> Iterator[Callable[[], RedisStore]]:
    """Factory of RedisStores sharing one unique prefix, on the server REDIS_URL names (the
    local default when unset); every key is removed afterwards."""
    url = redis_url_for_tests()
    client = redis.Redis.from_url(url)
    prefix = f"athenas-test:{uuid.uuid4().hex}:"
    yield lambda: RedisStore(redis.Redis.from_url(url), prefix)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
