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
import time
from pathlib import Path
from urllib.parse import quote

from _common import BASELINE_PATH, build_app, database_facts, login, report_head, summary, write_results
from sqlalchemy import select

from portal.clients.models import Client
from portal.core.documents import format_cpf
from portal.extensions import db
from portal.people.models import Collaborator, User

RESULTS = Path(__file__).resolve().parent / "results" / "clients.md"
BENCH_AGENT = "bench-agente@bench.athenas"
BENCH_SUPERVISOR = "bench-supervisor@bench.athenas"
BENCH_OPERATIONS = "bench-operacoes@bench.athenas"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--prefix", default="maria so", help="name prefix to search")
    args = parser.parse_args()

    app = build_app()
    total, dialect, version = database_facts(app, Client)

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
        base = summary(measure(client, BASELINE_PATH, args.runs))
        scenarios = [
            ("Página SELECT 1 (base)", BASELINE_PATH, False),
            ("Primeira página da lista (página inteira)", "/sales/clients", False),
            ("Busca por CPF (resultado HTMX)", f"/sales/clients?q={quote(cpf)}", True),
            (
                f"Busca por prefixo do nome {args.prefix!r} (HTMX)",
                f"/sales/clients?q={quote(args.prefix)}",
                True,
            ),
        ]
        for name, path, htmx in scenarios:
            if path == BASELINE_PATH:
                median, p95 = base
            else:
                median, p95 = summary(measure(client, path, args.runs, htmx))
            rows.append((label, name, median, p95, median / base[0]))
            ratio = median / base[0]
            print(f"{label:<30} {name:<46} mediana {median:7.1f} ms  p95 {p95:7.1f} ms  razão {ratio:5.2f}")

    lines = [
        *report_head("Benchmark do cadastro de clientes", dialect, version, "Clientes", total),
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
    write_results(RESULTS, lines)


if __name__ == "__main__":
    main()
