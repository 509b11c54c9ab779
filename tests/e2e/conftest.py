"""Browser tests: the real portal in its own process, driven by Debian's Chromium.

Playwright (Python) drives /usr/bin/chromium; no browser is downloaded. Without Chromium
these tests skip with the reason printed, unless ATHENAS_REQUIRE_BROWSER=1 (CI), where
they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from portal.config import PROJECT_ROOT
from tests.e2e import production_shape

CHROMIUM = os.environ.get("ATHENAS_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "athenas-demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require_browser() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    reason = f"Chromium não encontrado em {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("ATHENAS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def sandbox_url() -> str:
    """Where the e2e sandbox bank listens (chosen before the demo banks are seeded)."""
    return f"http://127.0.0.1:{_free_port()}"


@pytest.fixture(scope="session")
def sandbox_bank(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sandbox bank as its own process, like `make run` starts it; stopped at the end."""
    port = sandbox_url.rsplit(":", 1)[1]
    log = open(tmp_path_factory.mktemp("logs") / "sandbox.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox_bank", "--port", port, "--slow-delay", "2"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{sandbox_url}/_sandbox/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            log.seek(0)
            pytest.fail("o banco sandbox não subiu:\n" + log.read()[-3000:])
        yield sandbox_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory, sandbox_url: str) -> Iterator[dict[str, str]]:
    """The portal's environment: SQLite and in-process jobs, or with ATHENAS_E2E_SHAPE=production
    a fresh PostgreSQL database, Redis and Celery (tests/e2e/production_shape.py)."""
    base = tmp_path_factory.mktemp("live")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{base / 'live.db'}",
        ATHENAS_STORAGE_DIR=str(base / "storage"),
        ATHENAS_ARGON2_CHEAP="1",
        ATHENAS_SECRET_KEY="e2e-secret-key-only-for-browser-tests",
        ATHENAS_JOBS_RUNNER="inprocess",
        ATHENAS_SANDBOX_BANK_URL=sandbox_url,
        ATHENAS_BACKUP_REPOSITORIES=str(base / "backups"),  # never the project's instance/backups
        ATHENAS_BACKUP_PASSWORD="e2e-backup-password-only-for-browser-tests",
        PYTHONUNBUFFERED="1",
    )
    if not production_shape.enabled():
        yield env
        return
    _require_browser()  # before creating a database the tests could not use
    with production_shape.services(env) as production_env:
        yield production_env


@pytest.fixture(scope="session")
def live_server(
    server_env: dict[str, str], sandbox_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The portal with demo data (its demo banks point at the sandbox bank process),
    served by `flask serve` (or Gunicorn + Celery in the production shape) on a free
    loopback port; the sandbox's webhooks come back here."""
    _require_browser()
    _flask(server_env, "db", "upgrade")
    _flask(server_env, "seed-demo")
    port = _free_port()
    if production_shape.enabled():
        with production_shape.processes(server_env, port, tmp_path_factory.mktemp("logs")) as url:
            _sandbox_webhooks_to(sandbox_bank, url)
            yield url
        return
    log = open(tmp_path_factory.mktemp("logs") / "server.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            log.seek(0)
            pytest.fail("o portal não subiu:\n" + log.read()[-3000:])
        _sandbox_webhooks_to(sandbox_bank, url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _sandbox_webhooks_to(sandbox_bank: str, portal_url: str) -> None:
    from portal.demo.banks import DEMO_WEBHOOK_SECRET

    webhooks = {
        "webhook_url": f"{portal_url}/api/banks/{{bank}}/webhook",
        "webhook_secret": DEMO_WEBHOOK_SECRET,
    }
    requests.post(f"{sandbox_bank}/_sandbox/config", json=webhooks, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server, locale="pt-BR")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # HTTP statuses of pages are asserted by the tests themselves; what must never fail
    # is a sub-resource (script, style, image) or a script/CSP error.
    pg.on(
        "console",
        lambda msg: errors.append(msg.text)
        if msg.type == "error" and not msg.text.startswith("Failed to load resource")
        else None,
    )
    pg.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}")
        if r.status >= 400 and r.request.resource_type not in ("document", "xhr", "fetch")
        else None,
    )
    yield pg
    context.close()
    # A CSP violation or a JS error is a defect the user would hit.
    assert not errors, f"erros no navegador: {errors}"


@pytest.fixture
def login(page: object) -> Callable[..., object]:
    """Sign in as a demo user; the MFA roles' second step uses the demo TOTP secret."""

    def _login(email: str, password: str = DEMO_PASSWORD) -> object:
        import pyotp

        from portal.config import DEMO_TOTP_SECRET

        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if page.url.endswith("/login/mfa"):
            page.fill("input[name=code]", pyotp.TOTP(DEMO_TOTP_SECRET).now())
            page.click("button[type=submit]")
        return page

    return _login
