"""Benchmark the pipeline pages through the app on one or more databases in one run: the
board (figures of every status), one board column's first cards, the filtered list's
first page and a proposal page, each against a bare `SELECT 1` page measured on the same
database in the same run, with the SQL statements each page sends.

    .venv/bin/python bench/pipeline_pages.py --runs 30 --databases \\
        postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench_300k,postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench_3m

Without `--databases`, DATABASE_URL is measured. Requests go through the real WSGI stack
(Flask test client: session, access policy, scoping, templates). Prints medians, p95,
ratios, query counts and the board's HTML size per database, the growth of the board's
ratio from the first database to the last, the PostgreSQL plans of the board, column and
list queries at each size, and writes bench/results/pipeline.md. Run
bench/proposals_generate.py first; the board's rollups are rebuilt here when empty.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import BASELINE_PATH, build_app, database_facts, login, summary, write_results
from sqlalchemy import event, func, select, text

from portal.core.audit import SYSTEM
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import User
from portal.proposals import pendencies, rollup, sla
from portal.proposals.board import bank_rollup_statement, column_cards, within_limit_buckets
from portal.proposals.listing import ProposalFilters, filtered_proposals, proposals_page
from portal.proposals.models import Proposal
from portal.proposals.operations import move
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import PendencyType, ProposalStatusBankRollup, ProposalStatusHour
from portal.proposals.statuses import Status

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.md"
BENCH_OPERATIONS = "bench-operacoes@bench.athenas"
LIST_FILTER = "/operations/proposals?bank=facta&status=pending&sla=1"
BOARD = "/operations/board"
COLUMN = "/operations/board/columns/submitted"


NOTES = [
    "## Leitura",
    "",
    "- A esteira lê um número fixo de linhas, qualquer que seja o tamanho da tabela de propostas:",
    '  - contagens, valores e "em revisão" de quem vê tudo vêm de `proposal_status_bank_rollup`'
    " (status × banco × dia: poucas linhas por dia da janela de 30 dias dos status encerrados, uma"
    " por status aberto e banco); o resumo por corretor (`proposal_status_rollup`, ~uma linha por"
    " proposta recente) só é lido para usuários com escopo (corretor, supervisor, gerente de loja)"
    " ou com filtro de corretor;",
    '  - "dentro do SLA" de cada status aberto com limite L é a soma dos baldes por hora de entrada'
    " (`proposal_status_hours`, status × hora UTC × banco) que começam depois de agora − L, mais"
    " UMA contagem no índice (status, status_changed_at) para a hora parcial da fronteira, pelo"
    " lado mais curto (de agora − L ao fim da hora, ou o balde inteiro menos do início da hora a"
    " agora − L): no máximo meia hora do fluxo. Estourado = contagem − dentro. Antes: ~85 mil"
    " entradas de índice a 3 milhões;",
    "  - os cartões não vêm com a página: cada coluna aberta pede os seus (`hx-get`, gatilho `load`;"
    ' as recolhidas ao desdobrar) em páginas de 5, "Carregar mais" por keyset em'
    " (status_changed_at, id). A página passou de ~257 KB (88 cartões) para o tamanho medido acima.",
    "- Os três resumos são mantidos na mesma transação de cada gravação de proposta (upsert após"
    " cada flush), reconstruídos por `flask --app wsgi rebuild-proposal-rollup`.",
    "- Filtros sem dimensão nos resumos (produto, convênio, loja, datas, SLA, revisão, número)"
    " continuam num GROUP BY sobre as propostas filtradas.",
    "- A lista filtrada e a página da proposta são medidas aqui para acompanhamento (otimizadas em"
    " outro trabalho).",
    "- Gerador: `bench/proposals_generate.py` (COPY em lotes de 20 mil). Só as linhas de proposta"
    " são geradas; a proposta aberta na página ganha histórico e pendências na primeira execução.",
]


@dataclass
class Measured:
    """One database's figures: table size, server, scenario rows, sizes and plans."""

    url: str
    total: int = 0
    dialect: str = ""
    version: str = ""
    rows: list[tuple[str, float, float, float, int]] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    plans: list[str] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)

    @property
    def board_ratio(self) -> float:
        return next(row[3] for row in self.rows if row[0].startswith("Esteira:"))


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


def ensure_rollups(app) -> None:
    """The board reads the agent-free rollup and the hour buckets: fill them when empty
    (a database generated before they existed)."""
    with app.app_context():
        session = db.new_session()
        empty = any(
            session.scalar(select(func.count()).select_from(select(model).limit(1).subquery())) == 0
            for model in (ProposalStatusBankRollup, ProposalStatusHour)
        )
        if empty and session.scalar(select(Proposal.id).limit(1)) is not None:
            started = time.perf_counter()
            rows = rollup.rebuild_rollup(session)
            session.commit()
            for table in ("proposal_status_bank_rollup", "proposal_status_hours"):
                session.execute(text(f"ANALYZE {table}"))  # noqa: S608 - constant names
            session.commit()
            print(f"Resumos da esteira reconstruídos ({rows} linhas, {time.perf_counter() - started:.0f} s)")
        session.close()


def _timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    return (time.perf_counter() - started) * 1000


def measure(app, client, path: str, runs: int) -> tuple[list[float], list[float], int, int]:
    """Timings of `path` and of the base page, one of each in turn (a machine shared with
    other work slows both alike), the SQL statements of one request and its size in bytes."""
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    statements: list[str] = []

    def count(*_args):
        statements.append("x")

    engine = app.extensions["athenas.db"]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    size = len(client.get(path).get_data())
    event.remove(engine, "before_cursor_execute", count)
    timings, base = [], []
    for _ in range(runs):
        base.append(_timed(client, BASELINE_PATH))
        timings.append(_timed(client, path))
    return timings, base, len(statements), size


def rows_read(plan: dict) -> int:
    """Rows the leaf scans of an EXPLAIN (ANALYZE, FORMAT JSON) plan read (index entries
    or table rows, those a filter removed included)."""
    children = plan.get("Plans", [])
    if children:
        return sum(rows_read(child) for child in children)
    loops = plan.get("Actual Loops", 1)
    return (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops


def explain(app) -> tuple[list[str], dict[str, int]]:
    """EXPLAIN (ANALYZE) of the board's figures, a column's first cards and the list, and
    the rows each of the board's statements read."""
    with app.app_context():
        session = db.new_session()
        if session.get_bind().dialect.name != "postgresql":
            return [], {}
        user = session.scalar(select(User).where(User.email == BENCH_OPERATIONS))
        limits = sla.limits(session)
        now = utcnow()
        figures_stmt = bank_rollup_statement(ProposalFilters(), now)
        counted = {row[0]: row[1] for row in session.execute(figures_stmt)}
        within_shape, within_values = within_limit_buckets(ProposalFilters(), limits, now, counted)
        within_stmt = within_shape.params(within_values)
        captured: list[str] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            captured.append(_cursor.mogrify(statement, parameters).decode())

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", capture)
        column_cards(session, user, ProposalFilters(), limits, Status.SUBMITTED, now=now)
        event.remove(engine, "before_cursor_execute", capture)
        pending_late = ProposalFilters(bank="facta", status="pending", sla_breached=True)
        list_stmt = (
            filtered_proposals(session, user, pending_late, limits).order_by(Proposal.id.desc()).limit(51)
        )
        compiled = []
        for label, stmt in (
            ("Contagens e valores da esteira (resumo sem corretor)", figures_stmt),
            ("SLA: baldes por hora + contagem da hora de fronteira", within_stmt),
            ("Lista filtrada, 1ª página", list_stmt),
        ):
            sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            compiled.append((label, sql))
        compiled.insert(2, ("Cartões de uma coluna (Digitada), 1ª página", captured[-1]))
        lines, read = [], {}
        for label, sql in compiled:
            plan = session.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars().all()
            lines += [f"**{label}**", "", "```", *plan, "```", ""]
            as_json = session.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)).scalar_one()
            read[label] = rows_read(as_json[0]["Plan"])
        session.close()
    return lines, read


def measure_database(url: str, runs: int) -> Measured:
    os.environ["DATABASE_URL"] = url
    app = build_app()
    result = Measured(url)
    result.total, result.dialect, result.version = database_facts(app, Proposal)
    ensure_rollups(app)
    client = login(app, BENCH_OPERATIONS)
    proposal_id = prepare_proposal(app)
    with app.app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.email == BENCH_OPERATIONS))
        limits = sla.limits(session)
        pending_late = ProposalFilters(bank="facta", status="pending", sla_breached=True)
        listed = len(proposals_page(session, user, pending_late, limits, None).items)
        session.close()
    scenarios = [
        ("Esteira: contagens, valores e SLA de todos os status (página)", BOARD),
        ("Esteira: cartões de uma coluna (Digitada, 1ª página, HTMX)", COLUMN),
        (f"Lista filtrada (Facta, Pendente, SLA estourado), 1ª página ({listed} linhas)", LIST_FILTER),
        (
            "Página da proposta (dados, linha do tempo, pendências, documentos)",
            f"/operations/proposals/{proposal_id}",
        ),
    ]
    print(f"\n{url.rsplit('/', 1)[-1]}: {result.total:,} propostas")
    _, _, base_queries, base_size = measure(app, client, BASELINE_PATH, 0)
    rows, all_base = [], []
    for name, path in scenarios:
        timings, base, queries, size = measure(app, client, path, runs)
        all_base += base
        (median, p95), base_median = summary(timings), summary(base)[0]
        rows.append((name, median, p95, median / base_median, queries))
        result.sizes[path] = size
    base_median, base_p95 = summary(all_base)
    result.rows = [("Página SELECT 1 (base)", base_median, base_p95, 1.0, base_queries), *rows]
    result.sizes = {BASELINE_PATH: base_size, **result.sizes}
    for (name, median, p95, ratio, queries), size in zip(result.rows, result.sizes.values(), strict=True):
        print(
            f"{name:<80} mediana {median:8.1f} ms  p95 {p95:8.1f} ms  razão {ratio:6.2f}"
            f"  SQL {queries}  {size / 1024:6.1f} KB"
        )
    result.plans, result.read = explain(app)
    for label, n in result.read.items():
        print(f"  {label}: {n:,} linhas lidas")
    app.extensions["athenas.db"]["engine"].dispose()
    return result


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def report(results: list[Measured], runs: int) -> list[str]:
    first, last = results[0], results[-1]
    growth = last.board_ratio / first.board_ratio
    lines = [
        "# Benchmark da esteira de propostas",
        "",
        f"- Data: {time.strftime('%Y-%m-%d')}",
        f"- Banco: {first.dialect} ({str(first.version).split(',')[0]})",
        "- Propostas na tabela: " + ", ".join(_count(r.total) for r in results) + " (um banco por tamanho,"
        " medidos na mesma execução, cada um com a sua página base)",
        f"- Máquina: {platform.machine()} ({os.cpu_count()} núcleos), Python {platform.python_version()};"
        f" {runs} medições por cenário (após 3 de aquecimento), pelo app inteiro (cliente de teste"
        " WSGI: sessão, política de acesso, escopo, templates), usuário de operações (vê tudo).",
        "- Razão = mediana do cenário ÷ mediana da página base do mesmo banco (mesmo app, mesma sessão,"
        " um `SELECT 1` e o layout), medidas alternadas (base, cenário, base, ...) para que a carga"
        " da máquina pese igual nas duas; a linha da base junta todas as suas medições.",
        "- SQL = comandos enviados ao banco por uma requisição da página (inclui carregar o usuário da"
        " sessão). KB = tamanho do HTML da resposta.",
        "",
        f"**Esteira: razão {first.board_ratio:.2f} com {_count(first.total)} propostas e"
        f" {last.board_ratio:.2f} com {_count(last.total)} (crescimento {growth:.2f}×); página de"
        f" {last.sizes[BOARD] / 1024:.1f} KB, cartões de uma coluna {last.sizes[COLUMN] / 1024:.1f} KB.**",
        f"Meta: esteira ≤ 3× a página base com {_count(last.total)} propostas"
        f" ({'atingida' if last.board_ratio <= 3 else 'NÃO atingida'}: {last.board_ratio:.2f}) e razão"
        f" crescendo ≤ 1,2× de {_count(first.total)} a {_count(last.total)}"
        f" ({'atingida' if growth <= 1.2 else 'NÃO atingida'}: {growth:.2f}×).",
        "",
        "Linhas lidas por comando (folhas do plano: entradas de índice ou linhas, inclusive as"
        " descartadas por filtro):",
        "",
        "| Comando | " + " | ".join(f"{_count(r.total)} propostas" for r in results) + " |",
        "|---|" + "---:|" * len(results),
        *(
            f"| {label} | " + " | ".join(_count(r.read.get(label, 0)) for r in results) + " |"
            for label in first.read
        ),
        "",
    ]
    for result in results:
        lines += [
            f"### {_count(result.total)} propostas",
            "",
            "| Cenário | Mediana (ms) | p95 (ms) | Razão | SQL | KB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for (name, median, p95, ratio, queries), size in zip(result.rows, result.sizes.values(), strict=True):
            lines.append(
                f"| {name} | {median:.1f} | {p95:.1f} | {ratio:.2f} | {queries} | {size / 1024:.1f} |"
            )
        lines.append("")
    lines += [*NOTES, ""]
    for result in results:
        if result.plans:
            lines += [f"## Planos com {_count(result.total)} propostas (PostgreSQL, EXPLAIN ANALYZE)", ""]
            lines += result.plans
    lines += ["Gerado por `bench/pipeline_pages.py --databases ...` depois de `bench/proposals_generate.py`."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--databases", default="", help="URLs separados por vírgula, do menor ao maior (padrão: DATABASE_URL)"
    )
    args = parser.parse_args()
    urls = [u for u in args.databases.split(",") if u] or [os.environ.get("DATABASE_URL", "")]
    results = [measure_database(url, args.runs) for url in urls]
    lines = report(results, args.runs)
    print("\n" + next(line for line in lines if line.startswith("**Esteira: razão")))
    write_results(RESULTS, lines)


if __name__ == "__main__":
    main()
