"""Benchmark the manager's dashboard through the app against the bare `SELECT 1` page,
at the size the database has (300,000 then 3,000,000 proposals), and record how the
dashboard's time grows with the data.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench \
        .venv/bin/python bench/proposals_generate.py --count 300000
    DATABASE_URL=... .venv/bin/python bench/dashboards.py --runs 30
    DATABASE_URL=... .venv/bin/python bench/proposals_generate.py --count 2700000
    DATABASE_URL=... .venv/bin/python bench/dashboards.py --runs 30

Before measuring, the ledger is topped up to `--ledger-ratio` entries per proposal
(10/3: 10,000,000 entries for 3,000,000 proposals) with one set-based INSERT … SELECT
over the proposals that have none yet (company upfront, agent repasse, deferred
installments in the next months), and the dashboards' rollups are rebuilt (the
generators write with COPY/Core, past the rollups' listeners), then VACUUM ANALYZE.

Measured, as a company-wide manager: the dashboard page (the summary; every other table
is a section the page loads after itself) for the current month, for the last 12
months, its HTMX filter swap (one bank), and then each section on its own (its own
request) for both periods. Each size's row and its sections' table are kept in
bench/results/dashboards.md; the growth line compares the smallest and largest sizes.
Goals: dashboard ≤ 3 × the base page; from 300k to 3M proposals ≤ 1.2×.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from pathlib import Path

import pyotp
from _common import BASELINE_PATH, build_app, database_facts, login, summary, write_results
from pipeline_pages import measure
from sqlalchemy import func, select, text

from portal.commissions.models import LedgerEntry
from portal.core.db import utcnow
from portal.extensions import db
from portal.insights.dashboard import SECTION_SLUGS
from portal.insights.filters import add_months
from portal.insights.rebuild import rebuild_all
from portal.people.models import User
from portal.proposals.models import Proposal

RESULTS = Path(__file__).resolve().parent / "results" / "dashboards.md"
BENCH_MANAGER = "bench-gerente@bench.athenas"
ROW = re.compile(r"^\| ([\d.]+) \| ([\d.]+) \| ")
SECTIONS = re.compile(r"^## Seções \(([\d.]+) propostas\)")

# Per proposal without entries: upfront (company), repasse (agent), the first deferred
# installment next month; every third proposal a second installment (≈ 3.33 per proposal).
LEDGER_SQL = """
INSERT INTO commission_ledger (batch_id, contract, proposal_id, bank_code, payee, collaborator_id,
    org_unit_id, kind, source_kind, competence, posting_period, prior_period, base, percent, amount,
    explanation, source, reason, author_id, author_label, table_version_id, table_row_id, created_at)
SELECT 'bench', 'B' || p.id, p.id, p.bank_code, k.payee,
    CASE WHEN k.payee = 'empresa' THEN NULL ELSE p.agent_id END,
    NULL, k.kind, NULL, m.month, m.month, false, p.gross_amount, NULL, p.gross_amount * k.share / 1000,
    'bench', 'recalc', NULL, NULL, 'bench', NULL, NULL, now()
FROM proposals p
CROSS JOIN (VALUES ('empresa', 'flat', 60, 0), ('agente@bench', 'repasse', 24, 0),
                   ('empresa', 'diferido', 5, 1), ('empresa', 'diferido', 5, 2))
    AS k(payee, kind, share, ahead)
CROSS JOIN LATERAL (SELECT to_char(coalesce(p.submitted_at, p.created_at) + make_interval(months => k.ahead),
                                   'YYYY-MM') AS month) AS m
WHERE p.id > :after AND (k.ahead < 2 OR p.id % 3 = 0)
"""


def top_up_ledger(app) -> tuple[int, int]:
    """Give the proposals without entries theirs (PostgreSQL), rebuild the rollups;
    returns (proposals, ledger entries)."""
    with app.app_context():
        session = db.new_session()
        after = session.scalar(select(func.coalesce(func.max(LedgerEntry.proposal_id), 0)))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(LEDGER_SQL), {"after": after})
        else:
            print("SQLite: o razão não é gerado (só PostgreSQL); medindo com o que houver.")
        done = rebuild_all(session)
        manager = session.scalar(select(User).where(User.email == BENCH_MANAGER))
        if manager is None:
            manager = User(email=BENCH_MANAGER, name="Gerente Bench", role="manager")
            session.add(manager)
        if not manager.mfa_enabled:  # managers must have MFA; the bench client skips the form
            manager.mfa_secret, manager.mfa_enabled_at = pyotp.random_base32(), utcnow()
        session.commit()
        proposals = session.scalar(select(func.count()).select_from(Proposal))
        entries = session.scalar(select(func.count()).select_from(LedgerEntry))
        dialect = session.get_bind().dialect.name
        session.close()
        print(f"rollups: {done}", flush=True)
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("commission_ledger", "insights_production_day", "insights_production_day_bank",
                              "insights_production_month", "insights_production_month_bank",
                              "insights_agent_month", "insights_ledger_month",
                              "insights_ledger_month_bank"):  # fmt: skip
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    return proposals, entries


def _kept_rows(proposals: int) -> list[str]:
    """This size's row replaces an earlier one of the same size; other sizes are kept."""
    if not RESULTS.exists():
        return []
    rows = []
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match and int(match.group(1).replace(".", "")) != proposals:
            rows.append(line)
    return rows


def _kept_sections() -> list[tuple[int, list[str]]]:
    """The sections' tables of earlier runs, per size (this size's is replaced)."""
    if not RESULTS.exists():
        return []
    blocks: list[tuple[int, list[str]]] = []
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        match = SECTIONS.match(line)
        if match:
            blocks.append((int(match.group(1).replace(".", "")), [line]))
        elif blocks and line.startswith("Gerado por"):
            break
        elif blocks and line:
            blocks[-1][1].append(line)
    return [(size, _spaced(block)) for size, block in blocks]


def _spaced(block: list[str]) -> list[str]:
    """A kept block with its blank lines back (heading, note, table)."""
    return [block[0], "", block[1], "", *block[2:]] if len(block) > 2 else block


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    app = build_app()
    proposals, entries = top_up_ledger(app)
    _total, dialect, version = database_facts(app, Proposal)
    client = login(app, BENCH_MANAGER)
    month = utcnow().date().isoformat()[:7]
    last12 = f"de={add_months(month, -11)}&ate={month}"
    scenarios = [
        ("Painel gerencial, mês atual", "/dashboards/"),
        ("Painel gerencial, últimos 12 meses", f"/dashboards/?{last12}"),
        ("Filtro HTMX (um banco, mês atual)", "/dashboards/?bank=facta"),
    ]
    bases: list[float] = []

    def timed(path: str) -> float:
        started = time.perf_counter()
        client.get(path).get_data()
        return (time.perf_counter() - started) * 1000

    def against_base(path: str) -> tuple[float, float, int]:
        """(median, ratio to the base, SQL statements): the base page and the scenario
        are requested alternately (the shared machine's load drifts; alternating gives
        both the same load), after the warm-up and the statement count of `measure`."""
        queries = measure(app, client, path, 1)[1]
        measure(app, client, BASELINE_PATH, 1)
        base_timings, timings = [], []
        for _ in range(args.runs):
            base_timings.append(timed(BASELINE_PATH))
            timings.append(timed(path))
        base_median, median = summary(base_timings)[0], summary(timings)[0]
        bases.append(base_median)
        return median, median / base_median, queries

    medians = []
    for name, path in scenarios:
        median, ratio, queries = against_base(path)
        medians.append((median, ratio, queries))
        print(f"{name:<45} mediana {median:8.1f} ms  razão {ratio:6.2f}  SQL {queries}")
    section_lines = []
    worst = (0.0, 0.0, "")
    for slug in SECTION_SLUGS:
        cells = []
        for query in ("", f"?{last12}"):
            median, ratio, queries = against_base(f"/dashboards/{slug}{query}")
            worst = max(worst, (ratio, median, slug))
            cells.append(f"{median:.1f} ({ratio:.2f}×) | {queries}")
        print(f"  seção {slug:<30} {' | '.join(cells)}")
        section_lines.append(f"| {slug} | {' | '.join(cells)} |")
    base = sorted(bases)[len(bases) // 2]
    print(f"{'Página SELECT 1 (base), mediana das medianas':<45} {base:8.1f} ms")
    load = os.getloadavg()
    row = (
        f"| {_n(proposals)} | {_n(entries)} | {dialect} | {base:.1f} | "
        + " | ".join(f"{m:.1f} ({r:.2f}×)" for m, r, _q in medians)
        + f" | {worst[1]:.1f} ({worst[0]:.2f}×, {worst[2]}) | {medians[0][2]}"
        + f" | {load[0]:.2f} |"
    )
    rows = sorted([*_kept_rows(proposals), row], key=lambda r: int(ROW.match(r).group(1).replace(".", "")))
    growth = ""
    if len(rows) > 1:
        first_ms = float(rows[0].split("|")[5].split()[0])
        last_ms = float(rows[-1].split("|")[5].split()[0])
        growth = (
            "- Crescimento do painel (mês atual) da menor para a maior base:"
            f" {last_ms / first_ms:.2f}× (meta ≤ 1,2×)."
        )
    sections = [
        f"## Seções ({_n(proposals)} propostas)",
        "",
        "Cada seção é uma requisição própria (HTMX `load`), com os filtros da página;"
        " razão sobre a mesma base.",
        "",
        "| Seção | Mês atual (ms, razão) | SQL | Últimos 12 meses (ms, razão) | SQL |",
        "|---|---:|---:|---:|---:|",
        *section_lines,
    ]
    kept = [block for size, block in _kept_sections() if size != proposals]
    lines = [
        "# Benchmark dos painéis (gerente)",
        "",
        f"- Última execução: {dialect} ({str(version).split(',')[0]}), {platform.machine()} "
        f"({os.cpu_count()} núcleos), Python {platform.python_version()}; {args.runs} medições por cenário"
        " após 3 de aquecimento, pelo app inteiro (cliente de teste WSGI), gerente da empresa toda.",
        "- Razão = mediana do cenário ÷ mediana da página base (um `SELECT 1` e o layout), as duas pedidas"
        " alternadamente (a carga da máquina varia durante a execução);"
        " a coluna Base é a mediana dessas bases."
        " Metas: painel ≤ 3× a base; de 300 mil para 3 milhões de propostas ≤ 1,2×.",
        "- A página traz o resumo do período; as outras 16 tabelas (com gráficos e exportações) são"
        " seções carregadas depois dela, cada uma em requisição própria, medidas abaixo.",
        "- Carga = `uptime` (média de 1 minuto) ao fim da execução: a máquina tem 2 núcleos divididos"
        " com outros processos. Crescimento em ms (não em razão), da menor para a maior base.",
        "",
        "| Propostas | Lançamentos | Banco | Base (ms) | "
        + " | ".join(n for n, _ in scenarios)
        + " | Seção de maior razão (mês atual ou 12 meses) | SQL da página | Carga |",
        "|---:|---:|---|---:|" + "---:|" * (len(scenarios) + 3),
        *rows,
        "",
        growth,
        "",
        *sections,
        "",
        *[line for block in kept for line in (*block, "")],
        "Gerado por `bench/dashboards.py` (depois de `bench/proposals_generate.py`).",
    ]
    write_results(RESULTS, lines)


if __name__ == "__main__":
    main()
