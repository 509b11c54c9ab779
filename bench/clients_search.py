"""Benchmark the client registry through the app: CPF search, name-prefix search and the
first page of the list, against a bare `SELECT 1` page measured in the same run.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench \
        .venv/bin/python bench/clients_search.py --runs 50

Requests go through the real WSGI stack (Flask test client: login session, access policy,
scoping, decryption, templates); the baseline page runs the same stack with one
`SELECT 1` and the layout. Prints medians, p95 and ratios, and writes
bench/results/clients.md. Run bench/clients_generate.py first.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template_string  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.clients.models import Client  # noqa: E402
from portal.core.documents import format_cpf  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.people.models import Collaborator, User  # noqa: E402
from portal.people.permissions import Permission  # noqa: E402
from portal.web.access import require  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "clients.md"
BENCH_AGENT = "bench-agente@bench.athenas"
BENCH_SUPERVISOR = "bench-supervisor@bench.athenas"
BENCH_OPERATIONS = "bench-operacoes@bench.athenas"
BASELINE = '{% extends "layout/base.html" %}{% block content %}<p>{{ value }}</p>{% endblock %}'


def build_app():
    app = create_app()

    @app.route("/bench/select1")
    @require(Permission.ACCOUNT)
    def bench_select1():
        value = db.session.execute(text("SELECT 1")).scalar()
        return render_template_string(BASELINE, value=value)

    return app


def login(app, email: str):
    with app.app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name="Operações Bench", role="operations")
            session.add(user)
            session.commit()
        user_id = user.get_id()
        session.close()
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = user_id
        s["_fresh"] = True
        s["last_seen"] = int(time.time())
    return client


def sample_cpf(app, owner_email: str | None) -> str:
    """The CPF of a random client (owned by `owner_email`'s collaborator when given)."""
    with app.app_context():
        session = db.new_session()
        stmt = select(Client.id)
        if owner_email:
            own = (
                select(Collaborator.id)
                .join(User, User.id == Collaborator.user_id)
                .where(User.email == owner_email)
            )
            stmt = stmt.where(Client.owner_id.in_(own))
        ids = session.scalars(stmt.order_by(Client.id).limit(500)).all()
        cpf = session.get(Client, random.Random(3).choice(ids)).cpf
        session.close()
        return format_cpf(cpf)


def measure(client, path: str, runs: int, htmx: bool = False) -> list[float]:
    headers = {"HX-Request": "true"} if htmx else {}
    for _ in range(5):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--prefix", default="maria so", help="name prefix to search")
    args = parser.parse_args()

    app = build_app()
    with app.app_context():
        session = db.new_session()
        total = session.scalar(select(func.count()).select_from(Client))
        dialect = session.get_bind().dialect.name
        version = session.execute(
            text("SELECT version()" if dialect == "postgresql" else "SELECT sqlite_version()")
        ).scalar()
        session.close()

    cases = []
    for label, email, owner in [
        ("operações (todos os clientes)", BENCH_OPERATIONS, None),
        ("supervisor (equipe de 25)", BENCH_SUPERVISOR, BENCH_AGENT),
        ("corretor (carteira própria)", BENCH_AGENT, BENCH_AGENT),
    ]:
        client = login(app, email)
        cpf = sample_cpf(app, owner)
        cases.append((label, client, cpf))

    rows = []
    for label, client, cpf in cases:
        base = summary(measure(client, "/bench/select1", args.runs))
        scenarios = [
            ("Página SELECT 1 (base)", "/bench/select1", False),
            ("Primeira página da lista (página inteira)", "/sales/clients", False),
            ("Busca por CPF (resultado HTMX)", f"/sales/clients?q={quote(cpf)}", True),
            (
                f"Busca por prefixo do nome {args.prefix!r} (HTMX)",
                f"/sales/clients?q={quote(args.prefix)}",
                True,
            ),
        ]
        for name, path, htmx in scenarios:
            if path == "/bench/select1":
                median, p95 = base
            else:
                median, p95 = summary(measure(client, path, args.runs, htmx))
            rows.append((label, name, median, p95, median / base[0]))
            ratio = median / base[0]
            print(f"{label:<30} {name:<46} mediana {median:7.1f} ms  p95 {p95:7.1f} ms  razão {ratio:5.2f}")

    lines = [
        "# Benchmark do cadastro de clientes",
        "",
        f"- Data: {date.today().isoformat()}",
        f"- Banco: {dialect} ({str(version).split(',')[0]})",
        f"- Clientes na tabela: {total:,}".replace(",", "."),
        f"- Máquina: {platform.machine()} ({os.cpu_count()} núcleos), Python {platform.python_version()};"
        f" {args.runs} medições por cenário (após 5 de aquecimento), pelo app inteiro (cliente de teste"
        " WSGI: sessão, política de acesso, escopo, decifração, templates).",
        "- Razão = mediana do cenário ÷ mediana da página base (mesmo app, mesma sessão,"
        " um `SELECT 1` e o layout).",
        "- Buscas medidas como o navegador as faz ao digitar (pedido HTMX, só o bloco de resultados);"
        " a primeira página da lista, como página inteira.",
        "",
        "| Usuário | Cenário | Mediana (ms) | p95 (ms) | Razão |",
        "|---|---|---:|---:|---:|",
    ]
    for label, name, median, p95, ratio in rows:
        lines.append(f"| {label} | {name} | {median:.1f} | {p95:.1f} | {ratio:.2f} |")
    lines += [
        "",
        "Gerado por `bench/clients_search.py` depois de `bench/clients_generate.py`.",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Resultados em {RESULTS}")


if __name__ == "__main__":
    main()
