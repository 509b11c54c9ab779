"""deploy/deploy.sh against a target directory on this machine, with real processes.

Releases are built by deploy/build-release.sh (without the wheelhouse: the target reuses
the shared virtualenv with --venv) and deployed with --no-systemd, so the script itself
runs Gunicorn from a pidfile, and the Celery worker and beat on a Redis database of their
own. Release 1 is deployed, then release 2 while a thread hammers /healthz (the HUP
reload must not fail a single request), then release 3, whose /healthz answers 503: the
script must put release 2 back by itself and release 2 must keep serving.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from portal.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

DEPLOY = PROJECT_ROOT / "deploy" / "deploy.sh"
BUILD = PROJECT_ROOT / "deploy" / "build-release.sh"
VENV = Path(sys.prefix)
RELEASE_ITEMS = ("portal", "sandbox_bank", "templates", "static", "migrations", "wsgi.py",
                 "gunicorn.conf.py", "pyproject.toml", "constraints.txt", "deploy")
REDIS_DB_URL = "redis://127.0.0.1:6379/14"  # a database of its own: no other test's jobs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _build(source: Path, out: Path, version: str) -> Path:
    done = subprocess.run(
        ["bash", str(BUILD), "--no-wheels", "--source", str(source), "--out", str(out), "--version", version],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return Path(done.stdout.strip().splitlines()[-1])


def _patched_source(tmp: Path, name: str, path: str, old: str, new: str) -> Path:
    """A copy of the code with one change (a release that is broken in some way)."""
    source = tmp / name
    for item in RELEASE_ITEMS:
        src = PROJECT_ROOT / item
        if src.is_dir():
            shutil.copytree(src, source / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, source / item)
    text = (source / path).read_text(encoding="utf-8")
    assert old in text
    (source / path).write_text(text.replace(old, new), encoding="utf-8")
    return source


def _unhealthy_source(tmp: Path) -> Path:
    """Boots and serves, but its /healthz always answers 503."""
    healthy = 'return jsonify(status="ok", database="ok", release=release())'
    broken = 'return Response(\'{"status": "erro"}\', status=503, mimetype="application/json")'
    return _patched_source(tmp, "unhealthy", "portal/web/api/health.py", healthy, broken)


def _unloadable_source(tmp: Path) -> Path:
    """Does not even import (so its migrations cannot run)."""
    broken = "app = create_app(undefined_name)"
    return _patched_source(tmp, "unloadable", "wsgi.py", "app = create_app()", broken)


class Target:
    """The target directory, its environment file and the deploy script's command line."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.url = f"http://127.0.0.1:{port}/healthz"
        (root / "shared").mkdir(parents=True)
        settings = {
            "ATHENAS_ENV": "production",
            "ATHENAS_SECRET_KEY": "deploy-test-secret-0123456789abcdef0123456789",
            "ATHENAS_DATA_KEY": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "ATHENAS_INDEX_SECRET": "deploy-test-index-secret-0123456789abcdef",
            "ATHENAS_ARGON2_CHEAP": "1",
            "DATABASE_URL": f"sqlite:///{root / 'shared' / 'athenas.db'}",
            "ATHENAS_STORAGE_DIR": str(root / "shared" / "storage"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "REDIS_URL": REDIS_DB_URL,
        }
        lines = [f"{key}={value}" for key, value in settings.items()]
        (root / "shared" / "athenas.env").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def deploy(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
        return subprocess.run(
            ["bash", str(DEPLOY), "--target", str(self.root), "--no-systemd", "--venv", str(VENV),
             "--python", sys.executable, "--health-url", self.url, *args],
            capture_output=True, text=True, timeout=timeout, env=env,
        )

    def current(self) -> str:
        return os.readlink(self.root / "current")

    def pid(self, name: str) -> int:
        return int((self.root / "run" / f"{name}.pid").read_text())

    def release_of_process(self, pid: int) -> str:
        """The release folder a running process works from (its resolved working directory)."""
        return Path(os.readlink(f"/proc/{pid}/cwd")).name


class Hammer(threading.Thread):
    """GETs /healthz on fresh connections until stopped; records every answer or error."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.answers: list[tuple[int, str]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                # generous timeout: during a reload a request may wait for the new workers
                # to finish booting (queued on the open socket, never refused)
                response = requests.get(self.url, timeout=120)
                body = response.json()
                self.answers.append((response.status_code, body.get("release", "")))
            except (requests.RequestException, ValueError) as exc:
                self.errors.append(repr(exc))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not _redis_up():
        pytest.fail("Redis em 127.0.0.1:6379 é necessário para o worker e o beat do Celery")
    tmp = tmp_path_factory.mktemp("deploy")
    target = Target(tmp / "srv", _free_port())
    builds = tmp / "dist"
    releases = {
        "r1": _build(PROJECT_ROOT, builds, "r1"),
        "r2": _build(PROJECT_ROOT, builds, "r2"),
        "r3": _build(_unhealthy_source(tmp), builds, "r3-unhealthy"),
        "r4": _build(_unloadable_source(tmp), builds, "r4-unloadable"),
    }
    try:
        yield target, releases
    finally:
        target.deploy("--stop", timeout=120)


def test_second_deploy_rolls_forward_without_failing_a_request_and_keeps_the_first(site):
    target, releases = site

    first = target.deploy("--release", str(releases["r1"]), "--health-timeout", "180")
    assert first.returncode == 0, first.stderr
    release_1 = target.current().removeprefix("releases/")
    answer = requests.get(target.url, timeout=30).json()
    assert answer == {"status": "ok", "database": "ok", "release": release_1}
    assert target.release_of_process(target.pid("worker")) == release_1
    assert target.release_of_process(target.pid("beat")) == release_1
    master, worker_1, beat_1 = target.pid("gunicorn"), target.pid("worker"), target.pid("beat")

    hammer = Hammer(target.url)
    hammer.start()
    try:
        second = target.deploy("--release", str(releases["r2"]), "--health-timeout", "180")
        time.sleep(1)
    finally:
        hammer.stop.set()
        hammer.join(timeout=150)
    assert second.returncode == 0, second.stderr
    release_2 = target.current().removeprefix("releases/")
    assert release_2 != release_1

    # the same Gunicorn master reloaded (HUP), not restarted; its new workers run release 2
    assert target.pid("gunicorn") == master
    assert "recarga suave (HUP)" in second.stderr
    assert requests.get(target.url, timeout=30).json()["release"] == release_2
    # every request during the reload was answered, by release 1 and then release 2
    assert hammer.errors == []
    assert {status for status, _ in hammer.answers} == {200}
    served = [release for _, release in hammer.answers]
    assert served[0] == release_1 and served[-1] == release_2
    assert release_1 not in served[served.index(release_2):]  # no going back once switched

    # worker and beat were restarted from release 2
    assert (target.pid("worker"), target.pid("beat")) != (worker_1, beat_1)
    assert target.release_of_process(target.pid("worker")) == release_2
    assert target.release_of_process(target.pid("beat")) == release_2

    # release 1 stays, ready for a rollback
    assert os.readlink(target.root / "previous") == f"releases/{release_1}"
    assert (target.root / "releases" / release_1 / "wsgi.py").is_file()
    assert sorted(p.name for p in (target.root / "releases").iterdir()) == sorted([release_1, release_2])


def test_release_failing_its_health_check_is_rolled_back_and_the_old_one_keeps_serving(site):
    target, releases = site
    good = target.current().removeprefix("releases/")
    assert requests.get(target.url, timeout=30).json()["release"] == good

    third = target.deploy("--release", str(releases["r3"]), "--health-timeout", "60")

    assert third.returncode == 1
    assert "não ficou saudável: rollback automático" in third.stderr
    assert f"rollback concluído: {good} está servindo" in third.stderr
    assert target.current() == f"releases/{good}"
    failed = sorted(p.name for p in (target.root / "releases").iterdir() if (p / "FAILED").exists())
    assert len(failed) == 1 and failed[0] != good
    for _ in range(10):  # the old release answers, on every worker
        answer = requests.get(target.url, timeout=30)
        assert (answer.status_code, answer.json()["release"]) == (200, good)
    assert target.release_of_process(target.pid("worker")) == good
    assert target.release_of_process(target.pid("beat")) == good


def test_release_that_does_not_load_changes_nothing(site):
    target, releases = site
    good = target.current().removeprefix("releases/")
    master = target.pid("gunicorn")

    fourth = target.deploy("--release", str(releases["r4"]), "--health-timeout", "60")

    assert fourth.returncode == 1
    assert "não carrega ou as migrações falharam" in fourth.stderr
    assert "recarga suave" not in fourth.stderr  # nothing was switched or reloaded
    assert target.current() == f"releases/{good}" and target.pid("gunicorn") == master
    assert requests.get(target.url, timeout=30).json()["release"] == good
