"""Benchmark: 20 simultaneous margin lookups against a bank answering in 2 s.

Starts, on loopback: the sandbox bank (every call with the "slow" CPF answers after 2 s),
a fresh portal database with the demo data, and Gunicorn with `gunicorn.conf.py` (the
production settings: workers x gthread threads). Then the demo agent opens a client whose
CPF is the slow one and fires N lookups at once through the real HTMX endpoint
(`POST /sales/clients/<id>/lookups/facta`). Ideal total: about 2 s; serialised: N x 2 s.

    .venv/bin/python bench/bank_lookups.py [--lookups 20] [--workers W --threads T] [--compare]

Writes bench/results/bank_lookups.md.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "bank_lookups.md"
AGENT = "agente@demo.athenas"
PASSWORD = "athenas-demo"
SLOW_DELAY_S = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout


# The demo agent's client whose CPF the sandbox answers slowly (portal.demo.banks).
SETUP_CLIENT = """
from sqlalchemy import select
from portal import create_app
from sandbox_bank.scenarios import CPF_SLOW
from portal.clients.models import Client
from portal.core.crypto import get_keyring
from portal.core.db import unit_of_work
from portal.extensions import db
app = create_app()
with app.app_context(), unit_of_work(db.new_session) as session:
    index = get_keyring().blind_index(CPF_SLOW, "cpf")
    print(session.scalar(select(Client.id).where(Client.cpf_index == index)))
"""


def login(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = session.post(
        f"{base}/login",
        data={"email": AGENT, "password": PASSWORD, "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError("login failed")
    home = session.get(f"{base}/sales/", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)
    return session, token


def fire(base: str, client_id: int, count: int) -> tuple[float, list[float], list[int]]:
    """`count` lookups at once (one HTTP session each, same login); total and per-call times."""
    cookies_session, token = login(base)
    url = f"{base}/sales/clients/{client_id}/lookups/facta"
    latencies: list[float] = [0.0] * count
    statuses: list[int] = [0] * count
    ok_marker: list[bool] = [False] * count
    barrier = threading.Barrier(count)

    def one(i: int) -> None:
        http = requests.Session()
        http.cookies.update(cookies_session.cookies)
        barrier.wait()
        started = time.perf_counter()
        answer = http.post(url, headers={"X-CSRFToken": token, "HX-Request": "true"}, timeout=120)
        latencies[i] = time.perf_counter() - started
        statuses[i] = answer.status_code
        ok_marker[i] = 'data-outcome="ok"' in answer.text

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    if not all(ok_marker):
        raise RuntimeError(f"some lookups failed: statuses {statuses}")
    return total, latencies, statuses


def measure(env: dict[str, str], base: str, client_id: int, count: int) -> tuple[float, list[float]]:
    """Start Gunicorn with `env`, warm up, fire `count` lookups at once, stop it."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"{base}/healthz")
        fire(base, client_id, 1)  # warm-up: token, imports, connections
        total, latencies, _ = fire(base, client_id, count)
        return total, latencies
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="GUNICORN_WORKERS (default: config)")
    parser.add_argument("--threads", type=int, default=None, help="GUNICORN_THREADS (default: config)")
    parser.add_argument("--no-write", action="store_true", help="do not update the results file")
    parser.add_argument(
        "--compare", action="store_true", help="also run a starved server (1 worker, 2 threads)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="athenas-bench-"))
    sandbox_port, portal_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    base = f"http://127.0.0.1:{portal_port}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
        ATHENAS_STORAGE_DIR=str(work / "storage"),
        ATHENAS_SANDBOX_BANK_URL=sandbox_url,
        ATHENAS_ARGON2_CHEAP="1",
        ATHENAS_JOBS_RUNNER="inprocess",
        GUNICORN_BIND=f"127.0.0.1:{portal_port}",
        GUNICORN_LOGLEVEL="warning",
    )
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    children: list[subprocess.Popen[bytes]] = []
    try:
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sandbox_bank",
                    "--port",
                    str(sandbox_port),
                    "--slow-delay",
                    str(SLOW_DELAY_S),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_http(f"{sandbox_url}/_sandbox/health")
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        client_id = int(
            subprocess.run(
                [sys.executable, "-c", SETUP_CLIENT],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        total, latencies = measure(env, base, client_id, args.lookups)
        workers = env.get("GUNICORN_WORKERS") or "padrão (núcleos, mín. 2)"
        threads = env.get("GUNICORN_THREADS") or "16"
        baseline = None
        if args.compare:
            starved = {**env, "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"}
            baseline = measure(starved, base, client_id, args.lookups)[0]
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    ratio = total / SLOW_DELAY_S
    serial = args.lookups * SLOW_DELAY_S
    report = "\n".join(
        [
            "# Consultas de margem simultâneas (bench/bank_lookups.py)",
            "",
            f"Execução: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · CPUs: {os.cpu_count()} · "
            f"Python {sys.version.split()[0]} · SQLite",
            "",
            f'- Banco sandbox respondendo em {SLOW_DELAY_S:.0f} s a cada chamada (CPF "lento").',
            f"- Gunicorn com `gunicorn.conf.py`: workers = {workers}, threads = {threads} (gthread).",
            f"- {args.lookups} consultas `POST /sales/clients/<id>/lookups/facta` disparadas ao mesmo tempo.",
            "",
            "| Medida | Valor |",
            "|---|---|",
            f"| Tempo total | {total:.2f} s |",
            f"| Razão total / atraso do banco | {ratio:.2f} (ideal ≈ 1,0) |",
            f"| Se fossem em série | {serial:.0f} s |",
            f"| Latência mediana por consulta | {statistics.median(latencies):.2f} s |",
            f"| Latência máxima | {max(latencies):.2f} s |",
            "",
        ]
    )
    if baseline is not None:
        report += (
            f'\nComparação: o mesmo teste com 1 worker e 2 threads (servidor "faminto") levou '
            f"{baseline:.2f} s (razão {baseline / SLOW_DELAY_S:.2f}): cada thread presa esperando o banco "
            "segura uma requisição, por isso o dimensionamento é por threads.\n"
        )
    print(report)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
