"""Benchmark: what the bare authenticated page costs next to a minimal Flask page.

Two apps, both served by Gunicorn with the portal's `gunicorn.conf.py` on 127.0.0.1 and
driven by the same small HTTP client (threads, one keep-alive connection each):

- minimal: Flask + one route running `SELECT 1` on an engine with the portal's pool
  settings (pre-ping, 5 + 10), returning a short string;
- portal: the portal's `SELECT 1` page (`_common.BASELINE_PATH`: login session checked in
  Redis, user loaded, access policy, security hooks, `SELECT 1`, the full layout).

Then an in-process breakdown (Flask test client, N requests, timers wrapped around the
hooks) of where a portal request spends its time, and the SQL it sends.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/bench_bare \
    REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/bare_page.py \
        [--requests 3000] [--threads 8] [--rounds 3] [--profile 1000] [--compare /tmp/before]

The database must be migrated (`flask --app wsgi db upgrade`). Writes
bench/results/bare_page.md (the part above the hand-written notes).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "bare_page.md"
NOTES_MARK = "## Notas"
BENCH_USER = "bench-bare@bench.athenas"
MINIMAL_PATH = "/select1"


def minimal_app():
    """Flask and one `SELECT 1` route: the floor any portal page stands on."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    app = Flask("minimal")
    engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=5, max_overflow=10)

    @app.route(MINIMAL_PATH)
    def select1() -> str:
        with engine.connect() as connection:
            value = connection.execute(text("SELECT 1")).scalar()
        return f"<p>{value}</p>"

    return app


def portal_app():
    """The portal with its bare authenticated page (bench/_common.py)."""
    from _common import build_app

    return build_app()


# --- HTTP -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def serve(spec: str, env: dict[str, str], root: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """Gunicorn with the portal's settings (of checkout `root`) serving `spec`; returns
    once it answers."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(root)}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "--pythonpath", str(root / "bench"), spec],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            get(port, "/", {})
            return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn {spec} did not come up")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=60)


def drive(port: int, path: str, headers: dict[str, str], marker: bytes, threads: int, total: int):
    """`total` GETs of `path` from `threads` threads (keep-alive); req/s and latencies."""
    per_thread = total // threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    failures: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, sent = latencies[index], dict(headers)
        barrier.wait()
        for _ in range(per_thread):
            started = time.perf_counter()
            connection.request("GET", path, headers=sent)
            response = connection.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200 or marker not in body:
                failures.append(f"{response.status}: {body[:200]!r}")
            renewed = response.getheader("Set-Cookie")
            if renewed:  # keep the renewed session cookie, as a browser does
                sent["Cookie"] = renewed.split(";", 1)[0]
        connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} bad answers, first: {failures[0]}")
    flat = sorted(t for mine in latencies for t in mine)
    return {
        "rps": len(flat) / elapsed,
        "p50": statistics.median(flat) * 1000,
        "p99": flat[int(len(flat) * 0.99) - 1] * 1000,
    }


# --- in-process breakdown ------------------------------------------------------------------


class Stages:
    """Exclusive time per stage and request: a wrapped call's time minus the wrapped calls
    inside it. Medians per stage over the requests keep a busy neighbour's burst out."""

    def __init__(self) -> None:
        self.requests: list[dict[str, float]] = []
        self._current: dict[str, float] = defaultdict(float)
        self._stack: list[list[Any]] = []

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([name, time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                _, started, inner = self._stack.pop()
                spent = time.perf_counter() - started
                self._current[name] += spent - inner
                if self._stack:
                    self._stack[-1][2] += spent
                else:  # the outermost call (the WSGI app) ended: one request done
                    self.requests.append(dict(self._current))
                    self._current.clear()

        return timed

    def medians_ms(self) -> list[tuple[str, float]]:
        names = {name for request in self.requests for name in request}
        rows = [(n, statistics.median(r.get(n, 0.0) for r in self.requests) * 1000) for n in names]
        return sorted(rows, key=lambda row: -row[1])


# Hook functions by name → the stage they belong to.
HOOK_STAGES = {
    "_refuse_nul": "guarda de entrada (NUL)",
    "csrf_protect": "CSRF (before_request)",
    "_before": "segurança: inatividade, troca de senha, MFA",
    "_finish_transaction": "COMMIT do pedido",
    "_security_headers": "cabeçalhos de segurança (CSP)",
    "_default_template_ctx_processor": "layout: contexto (menu, avisos)",
    "_inject": "layout: contexto (menu, avisos)",
    "_bank_panel_context": "layout: contexto (menu, avisos)",
    "_remove": "teardown: fechar sessão SQL, devolver conexão",
}


def instrument(app, stages: Stages) -> None:
    import flask.templating

    from portal.extensions import db, login_manager
    from portal.people import sessions

    def stage_of(fn: Callable[..., Any]) -> str:
        return HOOK_STAGES.get(fn.__name__, f"{fn.__module__}.{fn.__name__}")

    app.wsgi_app = stages.wrap("Flask/Werkzeug: pedido, rota, contextos, resposta", app.wsgi_app)
    interface = app.session_interface
    interface.open_session = stages.wrap("cookie de sessão: ler e verificar", interface.open_session)
    interface.save_session = stages.wrap("cookie de sessão: assinar e gravar", interface.save_session)
    registry = sessions.registry()
    registry.check = stages.wrap("sessão no servidor (Redis)", registry.check)
    login_manager._user_callback = stages.wrap("usuário: BEGIN + SELECT users", login_manager._user_callback)
    with app.app_context():
        pool = db.engine.pool
    pool.connect = stages.wrap("conexão do pool + pre-ping", pool.connect)
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.template_context_processors):
        for key, funcs in hooks.items():
            hooks[key] = [stages.wrap(stage_of(f), f) for f in funcs]
    app.teardown_appcontext_funcs[:] = [stages.wrap(stage_of(f), f) for f in app.teardown_appcontext_funcs]
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "bench_select1":
            app.view_functions[endpoint] = stages.wrap("view: permissão + SELECT 1", view)
    flask.templating._render = stages.wrap("layout: renderizar o template", flask.templating._render)


def statements(app, client, path: str) -> list[str]:
    """The SQL one request sends (BEGIN/COMMIT are not cursor statements: listed apart)."""
    from sqlalchemy import event

    from portal.extensions import db

    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split())[:90])

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def per_request_ms(client, path: str, count: int) -> tuple[float, float]:
    """Wall and CPU milliseconds per request. CPU time leaves out the waits on PostgreSQL
    and Redis (and on a busy machine's scheduler): the Python cost, steadier under load."""
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        client.get(path)
    return (time.perf_counter() - started) / count * 1000, (time.process_time() - cpu) / count * 1000


def breakdown(count: int) -> tuple[list[tuple[str, float]], float, float, list[str]]:
    """Stages of a portal request (ms each), plain ms/request of both apps, the SQL."""
    from _common import BASELINE_PATH, login

    app = portal_app()
    client = login(app, BENCH_USER)
    for _ in range(50):
        assert client.get(BASELINE_PATH).status_code == 200
    sql = statements(app, client, BASELINE_PATH)
    minimal = minimal_app().test_client()
    for _ in range(50):
        minimal.get(MINIMAL_PATH)
    portal_runs, minimal_runs = [], []
    for _ in range(10):  # alternate, so both see the same machine load
        portal_runs.append(per_request_ms(client, BASELINE_PATH, count // 10))
        minimal_runs.append(per_request_ms(minimal, MINIMAL_PATH, count // 10))
    portal_ms = tuple(statistics.median(run[i] for run in portal_runs) for i in (0, 1))
    minimal_ms = tuple(statistics.median(run[i] for run in minimal_runs) for i in (0, 1))

    stages = Stages()
    instrument(app, stages)
    for _ in range(count):
        client.get(BASELINE_PATH)
    return stages.medians_ms(), portal_ms, minimal_ms, sql


# --- main ----------------------------------------------------------------------------------


def session_cookie() -> str:
    """`athenas_session=...` of a signed-in bench user (server-side session opened)."""
    from _common import build_app, login

    app = build_app()
    client = login(app, BENCH_USER)
    client.get("/")  # the first page settles the cookie (Flask-Login marks it not fresh)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return f"{cookie.key}={cookie.value}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=1000)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--compare", type=Path, help="another checkout whose portal page runs alternately (the 'before')"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql") or not os.environ.get("REDIS_URL"):
        sys.exit("Defina DATABASE_URL (PostgreSQL migrado) e REDIS_URL, como em produção.")
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import BASELINE_PATH

    env = dict(os.environ)
    cookie = session_cookie()
    portal_page = (BASELINE_PATH, {"Cookie": cookie}, b'data-testid="main-menu"')
    apps = {
        "minimal": ("bare_page:minimal_app()", ROOT, MINIMAL_PATH, {}, b"<p>1</p>"),
        "portal": ("bare_page:portal_app()", ROOT, *portal_page),
    }
    if args.compare:
        apps["before"] = ("bare_page:portal_app()", args.compare.resolve(), *portal_page)
    http_rows: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
    if not args.skip_http:
        servers = {name: serve(spec, env, root) for name, (spec, root, *_rest) in apps.items()}
        try:
            for name, (_spec, _root, path, headers, marker) in apps.items():  # warm the workers
                drive(servers[name][1], path, headers, marker, args.threads, 50 * args.threads)
            for _ in range(args.rounds):  # alternate, so all see the same machine load
                for name, (_spec, _root, path, headers, marker) in apps.items():
                    result = drive(servers[name][1], path, headers, marker, args.threads, args.requests)
                    http_rows[name].append(result)
                    print(name, {k: round(v, 2) for k, v in result.items()}, flush=True)
        finally:
            for server, _port in servers.values():
                stop(server)

    rows, portal_ms, minimal_ms, sql = breakdown(args.profile)
    write(args, http_rows, rows, portal_ms, minimal_ms, sql)


def write(args, http_rows, rows, portal_ms, minimal_ms, sql) -> None:
    load = os.getloadavg()

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in http_rows[name])

    lines = [
        "# Página autenticada mínima × Flask mínimo (bench/bare_page.py)",
        "",
        f"Execução: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · CPUs: {os.cpu_count()} · "
        f"Python {platform.python_version()} · carga média ao fim: {load[0]:.1f}",
        "PostgreSQL e Redis locais (sessões no Redis, como em produção).",
        "",
    ]
    if http_rows["portal"]:
        ratio_rps = med("minimal", "rps") / med("portal", "rps")
        ratio_p50 = med("portal", "p50") / med("minimal", "p50")
        row = "| {} | {:.0f} | {:.1f} ms | {:.1f} ms |"
        lines += [
            "## Gunicorn (`gunicorn.conf.py`: 2 workers gthread × 16 threads), 127.0.0.1",
            "",
            f"{args.threads} threads cliente (http.client, keep-alive), {args.requests} pedidos por rodada, "
            f"mediana de {args.rounds} rodadas alternadas.",
            "",
            "| App | pedidos/s | p50 | p99 |",
            "|---|---|---|---|",
            *(
                row.format(label, med(name, "rps"), med(name, "p50"), med(name, "p99"))
                for name, label in (
                    ("minimal", "Flask mínimo + `SELECT 1`"),
                    ("before", "portal, antes (`--compare`)"),
                    ("portal", "portal: página autenticada `SELECT 1` + layout"),
                )
                if http_rows.get(name)
            ),
            "",
            f"**Razão portal ÷ mínimo: {ratio_rps:.2f}× em custo por pedido "
            f"(pedidos/s do mínimo ÷ do portal); p50 {ratio_p50:.2f}×.**",
            "",
        ]
        if http_rows.get("before"):
            lines += [
                f"Antes: razão {med('minimal', 'rps') / med('before', 'rps'):.2f}×; "
                f"portal depois ÷ antes em pedidos/s: {med('portal', 'rps') / med('before', 'rps'):.2f}×.",
                "",
            ]
    total = sum(ms for _, ms in rows)
    lines += [
        f"## Dentro do processo (cliente de teste do Flask, {args.profile} pedidos)",
        "",
        "Sem instrumentação (mediana de 10 blocos alternados):",
        "",
        "| ms/pedido | portal | Flask mínimo | razão |",
        "|---|---|---|---|",
        *(
            f"| {label} | {portal_ms[i]:.2f} | {minimal_ms[i]:.2f} | {portal_ms[i] / minimal_ms[i]:.2f}× |"
            for i, label in ((0, "relógio"), (1, "CPU do processo"))
        ),
        "",
        "Tempo exclusivo por etapa, mediana por pedido (cronômetros em volta dos hooks; soma "
        f"das medianas {total:.2f} ms/pedido, a instrumentação acrescenta um pouco):",
        "",
        "| Etapa | ms/pedido | parcela |",
        "|---|---|---|",
        *(f"| {name} | {ms:.3f} | {ms / total:.0%} |" for name, ms in rows),
        "",
        f"SQL enviado por um pedido ({len(sql)} comandos, além do BEGIN/COMMIT e do pre-ping do pool):",
        "",
        *(f"- `{s}`" for s in sql),
        "",
    ]
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    notes = previous[previous.index(NOTES_MARK) :] if NOTES_MARK in previous else ""
    RESULTS.write_text("\n".join(lines) + ("\n" + notes if notes else ""), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
