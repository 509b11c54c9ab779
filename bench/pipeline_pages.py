"""Benchmark the pipeline pages through the app: the board (counts of every status), the
filtered list's first page and a proposal page, against a bare `SELECT 1` page measured
in the same run, with the SQL statements each page sends.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench \
        .venv/bin/python bench/pipeline_pages.py --runs 30

Requests go through the real WSGI stack (Flask test client: session, access policy,
scoping, templates). Prints medians, p95, ratios and query counts, the PostgreSQL plans of
the board and list queries, and writes bench/results/pipeline.md. Run
bench/proposals_generate.py first.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from _common import BASELINE_PATH, build_app, database_facts, login, report_head, summary, write_results
from sqlalchemy import event, select, text

from portal.core.audit import SYSTEM
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import User
from portal.proposals import pendencies, sla
from portal.proposals.board import rollup_statement, within_limit_statement
from portal.proposals.listing import ProposalFilters, filtered_proposals, proposals_page
from portal.proposals.models import Proposal
from portal.proposals.operations import move
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import PendencyType

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.md"
BENCH_OPERATIONS = "bench-operacoes@bench.athenas"
LIST_FILTER = "/operations/proposals?bank=facta&status=pending&sla=1"


NOTES = [
    "## Leitura",
    "",
    "- A lista filtrada e a página da proposta custam poucas vezes a página base e usam um número"
    " fixo de comandos SQL (também verificado nos testes: 3 ou 33 propostas, mesma contagem).",
    "- A esteira lê contagens, valores e \"em revisão\" do resumo `proposal_status_rollup`"
    " (status, dia, corretor, banco), mantido na mesma transação de cada gravação de proposta"
    " (upsert após cada flush) e somado sobre os corretores visíveis ao usuário; a tabela de"
    " propostas não é varrida. Os status encerrados usam os dias dos últimos 30 dias (dias UTC"
    " inteiros). Antes: um GROUP BY sobre as propostas, ~590 ms (razão ~200).",
    "- SLA estourado depende do relógio e de limites editáveis, então não vira contador: é a"
    " contagem do resumo menos as propostas que entraram no status há menos que o limite,"
    " contadas no índice (status, status_changed_at). Esse intervalo só contém o fluxo recente"
    " da esteira, por maior que seja o estoque de atrasadas; neste gerador (idades abertas até"
    " 10 dias) é a maior parte do custo restante da página.",
    "- Filtros sem dimensão no resumo (produto, convênio, loja, datas, SLA, revisão, número)"
    " continuam num GROUP BY sobre as propostas filtradas.",
    "- Gerador: `bench/proposals_generate.py` (COPY em lotes de 20 mil; ~10 mil linhas/s nesta"
    " máquina com os 19 índices da tabela; 3.000.000 linhas em ~5 min). Só as linhas de proposta"
    " são geradas; a proposta aberta na página ganha histórico e pendências na primeira execução.",
]


def prepare_proposal(app) -> int:
    """An open proposal with a real history: a few moves, pendencies (done once)."""
    with app.app_context():
        session = db.new_session()
        proposal = session.scalar(
            select(Proposal).where(Proposal.status == "submitted").order_by(Proposal.id.desc()).limit(1)
        )
        if proposal.version <= 3:
            move(session, SYSTEM, proposal, "waiting_signature")
            move(session, SYSTEM, proposal, "pending", reason="Selfie ilegível")
            kind = session.scalar(select(PendencyType).limit(1))
            for owner in ("agent", "operations"):
                pendencies.open_pendency(session, SYSTEM, proposal, NewPendency(kind.id, owner, "bench"))
            session.commit()
        proposal_id = proposal.id
        session.close()
    return proposal_id


def measure(app, client, path: str, runs: int) -> tuple[list[float], int]:
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    statements: list[str] = []

    def count(*_args):
        statements.append("x")

    engine = app.extensions["athenas.db"]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    client.get(path).get_data()
    event.remove(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(statements)


def explain(app) -> list[str]:
    """EXPLAIN (ANALYZE) of the board figures and the filtered list's first page."""
    with app.app_context():
        session = db.new_session()
        if session.get_bind().dialect.name != "postgresql":
            return []
        user = session.scalar(select(User).where(User.email == BENCH_OPERATIONS))
        limits = sla.limits(session)
        compiled = []
        now = utcnow()
        board_stmt = rollup_statement(session, user, ProposalFilters(), now)
        counted = {row[0]: row[1] for row in session.execute(board_stmt)}
        within_stmt = within_limit_statement(session, user, ProposalFilters(), limits, now, counted)
        pending_late = ProposalFilters(bank="facta", status="pending", sla_breached=True)
        list_stmt = (
            filtered_proposals(session, user, pending_late, limits).order_by(Proposal.id.desc()).limit(51)
        )
        statements = (
            ("Contagens e valores da esteira (resumo)", board_stmt),
            ("SLA: propostas ainda dentro do limite (índice)", within_stmt),
            ("Lista filtrada, 1ª página", list_stmt),
        )
        for label, stmt in statements:
            sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = session.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars().all()
            compiled.append((label, plan))
        session.close()
    lines = []
    for label, plan in compiled:
        lines += [f"**{label}**", "", "```", *plan, "```", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    app = build_app()
    total, dialect, version = database_facts(app, Proposal)
    client = login(app, BENCH_OPERATIONS)
    proposal_id = prepare_proposal(app)
    with app.app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.email == BENCH_OPERATIONS))
        limits = sla.limits(session)
        listed = len(
            proposals_page(
                session,
                user,
                ProposalFilters(bank="facta", status="pending", sla_breached=True),
                limits,
                None,
            ).items
        )
        session.close()

    base_timings, base_queries = measure(app, client, BASELINE_PATH, args.runs)
    base = summary(base_timings)
    scenarios = [
        ("Página SELECT 1 (base)", BASELINE_PATH),
        ("Esteira: contagens, valores e SLA de todos os status + cartões", "/operations/board"),
        (f"Lista filtrada (Facta, Pendente, SLA estourado), 1ª página ({listed} linhas)", LIST_FILTER),
        (
            "Página da proposta (dados, linha do tempo, pendências, documentos)",
            f"/operations/proposals/{proposal_id}",
        ),
    ]
    rows = []
    for name, path in scenarios:
        if path == BASELINE_PATH:
            (median, p95), queries = base, base_queries
        else:
            timings, queries = measure(app, client, path, args.runs)
            median, p95 = summary(timings)
        rows.append((name, median, p95, median / base[0], queries))
        ratio = median / base[0]
        print(f"{name:<80} mediana {median:8.1f} ms  p95 {p95:8.1f} ms  razão {ratio:6.2f}  SQL {queries}")

    plans = explain(app)
    lines = [
        *report_head("Benchmark da esteira de propostas", dialect, version, "Propostas", total),
        f"- Máquina: {platform.machine()} ({os.cpu_count()} núcleos), Python {platform.python_version()};"
        f" {args.runs} medições por cenário (após 3 de aquecimento), pelo app inteiro (cliente de teste"
        " WSGI: sessão, política de acesso, escopo, templates), usuário de operações (vê tudo).",
        "- Razão = mediana do cenário ÷ mediana da página base (mesmo app, mesma sessão,"
        " um `SELECT 1` e o layout).",
        "- SQL = comandos enviados ao banco por uma requisição da página"
        " (inclui carregar o usuário da sessão).",
        "",
        "| Cenário | Mediana (ms) | p95 (ms) | Razão | SQL |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, median, p95, ratio, queries in rows:
        lines.append(f"| {name} | {median:.1f} | {p95:.1f} | {ratio:.2f} | {queries} |")
    lines += ["", *NOTES, "", "## Planos (PostgreSQL, EXPLAIN ANALYZE)", "", *plans]
    lines += ["Gerado por `bench/pipeline_pages.py` depois de `bench/proposals_generate.py`."]
    write_results(RESULTS, lines)


if __name__ == "__main__":
    main()
