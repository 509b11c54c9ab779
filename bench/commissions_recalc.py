"""Recalculate a month of paid contracts on PostgreSQL and compare with a plain INSERT … SELECT.

    BENCH_DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/postgres \
      PYTHONPATH=. python bench/commissions_recalc.py --count 100000

Creates a scratch database (dropped at the end), migrates it, writes `--count` contracts
paid in March 2026 (Core inserts), an approved Facta table (flat 5 % + bonus 1 % +
deferred 0,25 % × 2 on the gross), the agents' 40 % plans and a 0,30 % supervisor override.
Then times:
1. `recalc.recalculate` on an empty ledger (loads the month, runs the engine, posts every
   line: the worst case of a recalculation);
2. the same again (compares everything, posts nothing);
3. the baseline: one `INSERT INTO commission_ledger … SELECT … FROM generate_series` of
   as many rows as run 1 wrote.
Goal: run 1 ≤ 3 × the baseline. Results in bench/results/commissions_recalc.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command  # noqa: E402
from sqlalchemy import Engine, create_engine, func, insert, make_url, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from portal import create_app  # noqa: E402
from portal.banks import rules  # noqa: E402
from portal.banks.models import Bank  # noqa: E402
from portal.clients.seeding import insert_client  # noqa: E402
from portal.commissions import plans, posting, recalc, tables  # noqa: E402
from portal.commissions.models import LedgerEntry  # noqa: E402
from portal.commissions.types import PlanBasis  # noqa: E402
from portal.core.audit import Actor  # noqa: E402
from portal.core.crypto import get_keyring  # noqa: E402
from portal.core.documents import generate_cpf  # noqa: E402
from portal.core.migrations import alembic_config  # noqa: E402
from portal.demo.commissions import table_row  # noqa: E402
from portal.people.models import Collaborator, Membership, OrgUnit  # noqa: E402
from portal.proposals.models import Proposal  # noqa: E402

ACTOR = Actor(id=None, label="bench")
PERIOD = "2026-03"
AGENTS = 50
RESULTS = Path(__file__).resolve().parent / "results" / "commissions_recalc.md"


def scratch_database(base: str) -> tuple[str, object]:
    name = f"athenas_bench_comm_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(base).set(database=name).render_as_string(hide_password=False), admin


def seed(session: Session, count: int) -> None:
    import random

    rng = random.Random(7)  # noqa: S311 - bench data
    rules.ensure_defaults(session, ACTOR)
    session.add(
        Bank(
            code="facta",
            name="Facta",
            base_url="",
            capabilities="",
            enabled=True,
            connect_timeout=1.0,
            read_timeout=1.0,
            breaker_threshold=3,
            breaker_cooldown_s=1.0,
        )
    )
    company = OrgUnit(kind="company", name="Empresa")
    session.add(company)
    session.flush()
    store = OrgUnit(kind="store", name="Loja", parent_id=company.id)
    session.add(store)
    session.flush()
    team = OrgUnit(kind="team", name="Equipe", parent_id=store.id)
    session.add(team)
    session.flush()
    ring = get_keyring()

    def person(index: int, group: str) -> Collaborator:
        cpf = generate_cpf(random.Random(index * 7919))  # noqa: S311
        obj = Collaborator(
            name=f"Pessoa {index}",
            cpf=cpf,
            cpf_index=ring.blind_index(cpf, "cpf"),
            role_group=group,
            status="active",
            email=f"p{index}@bench.athenas",
        )
        session.add(obj)
        session.flush()
        session.add(Membership(collaborator_id=obj.id, org_unit_id=team.id, valid_from=date(2020, 1, 1)))
        return obj

    person(0, "supervisor")
    agents = [person(i, "agent") for i in range(1, AGENTS + 1)]
    clients = [
        insert_client(session, a.id, generate_cpf(random.Random(a.id * 104729)), f"Cliente {a.id}")
        for a in agents
    ]  # noqa: S311
    version = tables.create_draft(
        session,
        ACTOR,
        bank_code="facta",
        valid_from=date(2026, 1, 1),
        valid_to=None,
        rows=[
            table_row(
                "facta",
                "new",
                rate_to=Decimal("5"),
                valid_from=date(2026, 1, 1),
                flat=Decimal("5"),
                deferred=Decimal("0.25"),
                deferred_months=2,
                bonus=Decimal("1"),
            )
        ],
    )
    tables.approve(session, ACTOR, version)
    for agent in agents:
        plans.set_plan(
            session,
            ACTOR,
            collaborator_id=agent.id,
            valid_from=date(2025, 1, 1),
            basis=PlanBasis.COMMISSION,
            percent=Decimal("40"),
        )
    plans.set_override_rate(
        session, ACTOR, level="supervisor", percent=Decimal("0.30"), valid_from=date(2025, 1, 1)
    )
    session.commit()
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    batch = []
    for i in range(count):
        k = i % AGENTS
        paid = start + timedelta(minutes=rng.randrange(0, 27 * 24 * 60))
        batch.append(
            {
                "client_id": clients[k].id,
                "agent_id": agents[k].id,
                "team_id": team.id,
                "store_id": store.id,
                "bank_code": "facta",
                "product": "new",
                "agreement": "INSS",
                "term_months": 84,
                "monthly_rate": Decimal("1.79"),
                "gross_amount": Decimal(rng.randrange(100_000, 5_000_000)) / 100,
                "net_amount": Decimal("0.00"),
                "contract_number": f"B{i:08d}",
                "status": "paid",
                "status_changed_at": paid,
                "paid_at": paid,
                "origin": "import",
                "extra": {},
                "version": 1,
                "needs_review": False,
                "sub_status_by_human": False,
                "created_at": paid,
                "updated_at": paid,
            }
        )
        if len(batch) == 5000:
            session.execute(insert(Proposal), batch)
            session.commit()
            batch.clear()
    if batch:
        session.execute(insert(Proposal), batch)
    session.commit()


BASELINE_SQL = """
INSERT INTO commission_ledger (batch_id, contract, proposal_id, bank_code, payee, collaborator_id,
    org_unit_id, kind, source_kind, competence, posting_period, prior_period, base, percent, amount,
    explanation, source, reason, author_id, author_label, table_version_id, table_row_id, created_at)
SELECT 'baseline', 'B' || g, NULL, 'facta', 'empresa', NULL, NULL, 'flat', NULL, '2026-03', '2026-03',
    false, 1000000, 5000000, 50000 + g % 1000, '5,00% de R$ 10.000,00 (valor bruto), tabela Facta v1 linha 1',
    'recalc', NULL, NULL, 'bench', NULL, NULL, now()
FROM generate_series(1, :n) AS g
"""


def timed_recalc(engine: Engine, run: int) -> tuple[posting.SyncResult, float]:
    """Recalculate the month in one transaction; (result, seconds), printed."""
    with Session(engine) as session:
        t = time.perf_counter()
        result = recalc.recalculate(session, ACTOR, PERIOD, "bench")
        session.commit()
        seconds = time.perf_counter() - t
    print(f"recálculo {run}: {seconds:.2f}s, {result.entries} lançamentos", flush=True)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    url, admin = scratch_database(base)
    name = make_url(url).database
    try:
        app = create_app({"DATABASE_URL": url, "JOBS_RUNNER": "inprocess", "REDIS_URL": ""})
        with app.app_context():
            command.upgrade(alembic_config(url), "head")
        engine = create_engine(url)
        with Session(engine) as session:
            t = time.perf_counter()
            seed(session, args.count)
            print(f"dados: {time.perf_counter() - t:.1f}s", flush=True)
        first, t_first = timed_recalc(engine, 1)
        second, t_second = timed_recalc(engine, 2)
        with engine.connect() as conn:
            t = time.perf_counter()
            conn.execute(text(BASELINE_SQL), {"n": first.entries})
            conn.commit()
            t_base = time.perf_counter() - t
            version = conn.execute(text("SELECT version()")).scalar()
            total = conn.execute(select(func.count()).select_from(LedgerEntry)).scalar()
        print(f"INSERT … SELECT: {t_base:.2f}s", flush=True)
        ratio, ratio_second = t_first / t_base, t_second / t_base
        load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
        lines = [
            "# Recálculo de comissões de um mês",
            "",
            f"- Data: {date.today().isoformat()}",
            f"- Banco: PostgreSQL ({str(version).split(',')[0]})",
            f"- Contratos pagos no mês: {args.count:,}".replace(",", "."),
            f"- Linhas no razão ao final: {total:,}".replace(",", "."),
            f"- Máquina: {os.cpu_count()} núcleos compartilhados; carga média ao final (1/5/15 min): {load}",
            "",
            "| Medida | Tempo | Lançamentos |",
            "|---|---|---|",
            f"| Recálculo com razão vazio (lança tudo) | {t_first:.2f} s | {first.entries:,} |".replace(
                ",", "."
            ),
            f"| Recálculo repetido (nada a lançar) | {t_second:.2f} s | {second.entries} |",
            f"| INSERT … SELECT do mesmo número de linhas | {t_base:.2f} s | {first.entries:,} |".replace(
                ",", "."
            ),
            "",
            f"**Razão recálculo / INSERT … SELECT: {ratio:.2f}×** (meta: ≤ 3×).",
            f"Recálculo repetido / INSERT … SELECT: {ratio_second:.2f}×.",
        ]
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
        engine.dispose()
        app.extensions["athenas.db"]["engine"].dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
