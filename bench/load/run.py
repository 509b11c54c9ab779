"""Load suite (`make bench-load`): Locust against the portal in its production shape.

    .venv/bin/python bench/load/run.py [--template athenas_bench_300k] [--users 50] [--run-time 60s]

What one run does, all on 127.0.0.1, and undone at the end even on failure or Ctrl+C:
1. a working PostgreSQL database: a copy of `--template` (CREATE DATABASE … TEMPLATE, so the
   generated data is never written to) or, without a template, an empty one (the demo only,
   as on a fresh machine); `--database-url` uses an existing database as it is (it gets
   written to: submissions, moves, logins);
2. the sandbox bank (a real HTTP server process) and the data step bench/load/prepare.py:
   schema at head, the demo (banks pointing at this sandbox), the load's logins;
3. Gunicorn with gunicorn.conf.py (workers and threads as there) serving
   bench/load/wsgi_bench.py (the portal + the `SELECT 1` baseline page), and one Celery
   worker, both with REDIS_URL (its own db number, emptied before and after);
4. Locust headless, bounded by users, time and requests (`--users`, `--spawn-rate`,
   `--run-time`, `--max-requests`), one user class per role (bench/load/locustfile.py);
   the statistics restart once all users are spawned, so `--run-time` is the window
   measured with every user on (the ramp and its logins come before it, reported apart);
5. bench/results/load.md rewritten (bench/load/report.py): per page req/s, p50/p95/p99,
   errors and the ratios to the baseline page measured in the same run.
Exit code 1 when any request failed (or a process died), 0 otherwise.

Options (and environment): --template (ATHENAS_LOAD_TEMPLATE), --database-url
(ATHENAS_LOAD_DATABASE_URL), --postgres-url of the server (ATHENAS_LOAD_POSTGRES_URL,
default postgresql+psycopg2://postgres@127.0.0.1:5432/postgres), --redis-url
(ATHENAS_LOAD_REDIS_URL, default redis://127.0.0.1:6379/8), --users (ATHENAS_LOAD_USERS,
50), --spawn-rate (5/s), --run-time (ATHENAS_LOAD_RUN_TIME, 60s), --max-requests
(100000), --output (bench/results/load.md), --keep (keep the working database and logs).
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import redis
import requests
from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402

env_get = os.environ.get
# The generators' databases (bench/proposals_generate.py), used when they exist.
GENERATED = ("athenas_bench_300k", "athenas_bench_3m")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Teste de carga do portal (Locust).")
    parser.add_argument("--template", default=env_get("ATHENAS_LOAD_TEMPLATE", "auto"))
    parser.add_argument("--database-url", default=env_get("ATHENAS_LOAD_DATABASE_URL", ""))
    parser.add_argument(
        "--postgres-url",
        default=env_get(
            "ATHENAS_LOAD_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--redis-url", default=env_get("ATHENAS_LOAD_REDIS_URL", "redis://127.0.0.1:6379/8"))
    parser.add_argument("--users", type=int, default=int(env_get("ATHENAS_LOAD_USERS", "50")))
    parser.add_argument("--spawn-rate", type=float, default=float(env_get("ATHENAS_LOAD_SPAWN_RATE", "5")))
    parser.add_argument("--run-time", default=env_get("ATHENAS_LOAD_RUN_TIME", "60s"))
    parser.add_argument(
        "--max-requests", type=int, default=int(env_get("ATHENAS_LOAD_MAX_REQUESTS", "100000"))
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "load.md")
    parser.add_argument("--keep", action="store_true", help="mantém o banco de trabalho e os logs")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def working_database(args: argparse.Namespace, source: str):
    """The database URL the run uses: given, or a copy of `source` / an empty one,
    dropped at the end (unless --keep)."""
    if args.database_url:
        yield args.database_url
        return
    name = f"athenas_load_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    template = f' TEMPLATE "{source}"' if source else ""
    print(f"Banco de trabalho {name}" + (f" (cópia de {source})" if source else " (vazio)"), flush=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def emptied_redis(url: str):
    store = redis.Redis.from_url(url, socket_connect_timeout=2)
    store.flushdb()
    try:
        yield url
    finally:
        with suppress(redis.RedisError):
            store.flushdb()
        store.close()


class Processes:
    """Child processes in their own sessions, stopped (TERM, then KILL) in reverse order."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, label: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=(self.logs / f"{label}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started[label] = proc
        return proc

    def check(self) -> None:
        for label, proc in self.started.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{label} saiu com código {proc.returncode}\n{self.tail(label)}")

    def tail(self, label: str, size: int = 3000) -> str:
        path = self.logs / f"{label}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop(self) -> None:
        for proc in reversed(self.started.values()):
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.started.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(ready, procs: Processes, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        procs.check()
        with suppress(requests.RequestException):
            if ready():
                return
        time.sleep(0.3)
    raise RuntimeError(f"{what} não ficou pronto em {seconds:.0f} s")


def base_env(database_url: str, redis_url: str, sandbox: str, storage: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "ATHENAS_LOAD_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ATHENAS_JOBS_RUNNER="celery",
        ATHENAS_SANDBOX_BANK_URL=sandbox,
        ATHENAS_STORAGE_DIR=str(storage),
        ATHENAS_BACKUP_REPOSITORIES=str(storage / "backups"),
        ATHENAS_BACKUP_PASSWORD="senha-de-backup-so-do-teste-de-carga",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_one(args: argparse.Namespace, template: str, work: Path) -> tuple[report.Result, bool]:
    """One load run against a copy of `template` ("" = demo only); (result, processes ok)."""
    work.mkdir()
    logs = work / "logs"
    logs.mkdir()
    procs = Processes(logs)
    sandbox_port, portal_port = free_port(), free_port()
    sandbox, portal = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{portal_port}"
    with ExitStack() as stack:
        database_url = stack.enter_context(working_database(args, template))
        redis_url = stack.enter_context(emptied_redis(args.redis_url))
        stack.callback(procs.stop)
        env = base_env(database_url, redis_url, sandbox, work / "storage")
        procs.start(
            "sandbox",
            [sys.executable, "-m", "sandbox_bank", "--port", str(sandbox_port), "--webhook-url",
             f"{portal}/api/banks/{{bank}}/webhook", "--webhook-secret", "athenas-demo-webhook-secret"],
            env,
        )  # fmt: skip
        wait_until(lambda: requests.get(f"{sandbox}/_sandbox/health", timeout=1).ok, procs, "o banco sandbox")
        plan = work / "plan.json"
        print("Preparando os dados (esquema, demonstração, logins da carga)…", flush=True)
        subprocess.run([sys.executable, str(HERE / "prepare.py"), str(plan)], cwd=ROOT, env=env, check=True)
        facts = report.database_facts(database_url)
        bind = {"GUNICORN_BIND": f"127.0.0.1:{portal_port}"}
        control = ["--control-socket", str(logs / "gunicorn.ctl")]  # other Gunicorns may run here
        gunicorn = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *control, "bench.load.wsgi_bench:app"]
        procs.start("gunicorn", gunicorn, {**env, **bind, "GUNICORN_LOGLEVEL": "warning"})
        worker = [
            str(BIN / "celery"), "-A", "portal.worker", "worker", "--pool=threads", "-c", "2",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"carga-{portal_port}@%h",
        ]  # fmt: skip
        procs.start("worker", worker, env)
        wait_until(lambda: requests.get(f"{portal}/healthz", timeout=2).ok, procs, "o portal (Gunicorn)")
        wait_until(lambda: "ready." in procs.tail("worker", 100_000), procs, "o worker Celery")
        print(f"Portal em {portal}; Locust: {args.users} usuários por {args.run_time}…", flush=True)
        stats, extras = work / "locust", work / "extras.json"
        # The statistics restart once every user was spawned (and signed in): the measured
        # window is --run-time with all the users on, not the ramp and its burst of logins.
        ramp = math.ceil(args.users / args.spawn_rate) + 5
        total = _seconds(args.run_time) + ramp
        locust = [
            str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--host", portal,
            "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{total}s",
            "--reset-stats", "--stop-timeout", "20", "--csv", str(stats), "--only-summary",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        locust_env = {
            **env,
            "ATHENAS_LOAD_PLAN": str(plan),
            "ATHENAS_LOAD_EXTRAS": str(extras),
            "ATHENAS_LOAD_MAX_REQUESTS": str(args.max_requests),
            "PYTHONPATH": str(HERE),
        }
        before = os.getloadavg()[0]
        finished = subprocess.run(locust, cwd=ROOT, env=locust_env, timeout=total + 180)
        # The machine is shared: how busy it was says how far the times are the portal's own.
        facts["Carga média da máquina (1 min), antes → depois"] = (
            f"{before:.2f} → {os.getloadavg()[0]:.2f}".replace(".", ",")
        )
        alive = True
        try:
            procs.check()  # a server that died under load fails the run
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            alive = False
        label = f"Cópia de {template}" if template else "Só a demonstração (banco vazio + seed-demo)"
        if args.database_url:
            label = "Banco informado (--database-url)"
        result = report.Result(
            label,
            facts,
            report.read_stats(stats),
            report.read_failures(stats),
            report.read_extras(extras),
            report.read_exceptions(stats),
        )
        return result, alive and finished.returncode in (0, 1)
    raise AssertionError("unreachable")


def templates(args: argparse.Namespace) -> list[str]:
    """The databases to copy, one run each: the option's comma-separated list; "auto" =
    the generated ones that exist, else none; "none" = an empty database (the demo only)."""
    if args.database_url or args.template in ("none", ""):
        return [""]
    if args.template != "auto":
        return [name.strip() for name in args.template.split(",") if name.strip()]
    admin = create_engine(args.postgres_url)
    with admin.connect() as conn:
        names = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    admin.dispose()
    return [name for name in GENERATED if name in names] or [""]


def _seconds(value: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    total, number = 0, ""
    for char in value:
        if char.isdigit():
            number += char
        elif char in units and number:
            total, number = total + int(number) * units[char], ""
    return total + (int(number) if number else 0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if urlsplit(args.redis_url).path in ("", "/"):
        sys.exit("--redis-url precisa de um número de banco próprio (ex.: redis://127.0.0.1:6379/8).")
    work = Path(tempfile.mkdtemp(prefix="athenas-carga-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanups on TERM too
    try:
        results, healthy = [], True
        for number, source in enumerate(templates(args)):
            result, alive = run_one(args, source, work / f"run{number}")
            results.append(result)
            healthy = healthy and alive
            report.write(args.output, results, args.users, args.run_time)
            print(f"{result.label}: {result.errors} erros. Resultados em {args.output}", flush=True)
        return 0 if healthy and not any(r.errors for r in results) else 1
    finally:
        if args.keep:
            print(f"Logs e estatísticas em {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
