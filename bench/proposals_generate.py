"""Generate many proposals fast, for the pipeline benchmark.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench \
        .venv/bin/python bench/proposals_generate.py --count 3000000

Reuses the client benchmark's org (bench/clients_generate.py: one store, 20 teams, 500
agents) and makes sure at least `--clients` clients exist, then bulk-inserts proposals
with Core `insert()` + executemany in batches: banks, products, agreements, statuses and
the moment of the last move spread like a real portfolio (most paid or closed, a fresh
open part), SLA limits and mappings as in the demo. Only the proposal rows are bulk
generated (no per-proposal event history); `bench/pipeline_pages.py` gives the proposals
it opens a history, pendencies and documents of their own. `--count` is how many to add.
The COPY/Core inserts bypass the board rollup's flush hook, so it is rebuilt at the end.
"""

from __future__ import annotations

import io
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import generator_args, write_in_batches  # noqa: E402
from alembic import command  # noqa: E402
from clients_generate import ensure_org  # noqa: E402
from clients_generate import rows as client_rows  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.clients.models import Client  # noqa: E402
from portal.core.db import RATE_SCALE  # noqa: E402
from portal.core.migrations import alembic_config  # noqa: E402
from portal.demo.banks import seed_banks  # noqa: E402
from portal.demo.proposals import (  # noqa: E402
    AGREEMENT_OF,
    BANK_OF_STATUS,
    PREFIX,
    PRODUCTS,
    seed_pipeline_settings,  # noqa: E402
)
from portal.extensions import db  # noqa: E402
from portal.proposals.listing import AGREEMENTS as LISTED_AGREEMENTS  # noqa: E402
from portal.proposals.models import Proposal  # noqa: E402
from portal.proposals.rollup import rebuild_rollup  # noqa: E402
from portal.proposals.statuses import Status  # noqa: E402

S = Status
# Payroll agreements of the loan products (CLT and FGTS come with their own products).
AGREEMENTS = [a for a in LISTED_AGREEMENTS if a not in set(AGREEMENT_OF.values())]
# A mature portfolio: most proposals are finished; the open part is what operations works.
WEIGHTS = [
    (S.SUBMITTED, 3),
    (S.WAITING_SIGNATURE, 3),
    (S.SIGNED, 1),
    (S.UNDER_ANALYSIS, 2),
    (S.PENDING, 2),
    (S.AWAITING_ENDORSEMENT, 2),
    (S.ENDORSED, 1),
    (S.PAID, 62),
    (S.REFUSED, 12),
    (S.CANCELLED, 10),
    (S.PAYMENT_RETURNED, 1),
    (S.SETTLED_EARLY, 1),
]
OPEN = {
    S.SUBMITTED,
    S.WAITING_SIGNATURE,
    S.SIGNED,
    S.UNDER_ANALYSIS,
    S.PENDING,
    S.AWAITING_ENDORSEMENT,
    S.ENDORSED,
}
NOW = datetime.now(UTC)
# The board's rollups, analysed after the load so the planner reads their recent ranges.
BOARD_TABLES = ("proposal_status_rollup", "proposal_status_bank_rollup", "proposal_status_hours")


def ensure_clients(session, minimum: int) -> list[tuple[int, int]]:
    have = session.scalar(select(func.count()).select_from(Client))
    if have < minimum:
        owners = ensure_org(session)
        batch = list(client_rows(minimum - have, seed=have + 17, owners=owners))
        for start in range(0, len(batch), 10_000):
            session.execute(insert(Client.__table__), batch[start : start + 10_000])
            session.commit()
    return [tuple(r) for r in session.execute(select(Client.id, Client.owner_id).limit(200_000))]


def proposal_rows(count: int, start: int, seed: int, clients: list[tuple[int, int]]):
    rng = random.Random(seed)
    statuses = [s for s, _ in WEIGHTS]
    weights = [w for _, w in WEIGHTS]
    banks = list(PRODUCTS)
    for n in range(start, start + count):
        client_id, agent_id = clients[rng.randrange(len(clients))]
        bank = banks[rng.randrange(len(banks))]
        product = rng.choice(PRODUCTS[bank])
        status = rng.choices(statuses, weights)[0]
        if status in OPEN:
            age = timedelta(hours=rng.uniform(1, 24 * 10))
        else:
            age = timedelta(days=rng.uniform(1, 1500))
        submitted = NOW - age - timedelta(days=rng.uniform(0, 20))
        moved = NOW - age
        gross = rng.randrange(80_000, 6_000_000)  # centavos
        yield {
            "version": 3,
            "client_id": client_id,
            "agent_id": agent_id,
            "team_id": None,
            "store_id": None,
            "bank_code": bank,
            "product": product,
            "agreement": AGREEMENT_OF.get(product) or AGREEMENTS[rng.randrange(len(AGREEMENTS))],
            "term_months": 84,
            "monthly_rate": Decimal("1.79"),
            "gross_amount": gross,
            "net_amount": gross * 93 // 100,
            "installment": gross // 30,
            "bank_proposal_number": f"{PREFIX[bank]}B{n:09d}",
            "status": status.value,
            "sub_status_by_human": False,
            "bank_status": BANK_OF_STATUS[bank].get(status),
            "needs_review": rng.random() < 0.002 and status in OPEN,
            "status_changed_at": moved,
            "submitted_at": submitted,
            "paid_at": moved if status == S.PAID else None,
            "origin": "manual" if bank == "bradesco" else "api",
            "idempotency_key": f"bench-{n}",
            "extra": {},
            "created_at": submitted,
            "updated_at": moved,
        }


COPY_COLUMNS = [
    "version",
    "client_id",
    "agent_id",
    "bank_code",
    "product",
    "agreement",
    "term_months",
    "monthly_rate",
    "gross_amount",
    "net_amount",
    "installment",
    "bank_proposal_number",
    "status",
    "sub_status_by_human",
    "bank_status",
    "needs_review",
    "status_changed_at",
    "submitted_at",
    "paid_at",
    "origin",
    "idempotency_key",
    "extra",
    "created_at",
    "updated_at",
]


def _copy_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):  # Rate column: millionths of a percentage point
        return str(int(value * RATE_SCALE))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return '"{}"'
    return str(value)


def copy_batch(session, batch: list[dict]) -> None:
    """PostgreSQL COPY of already-converted values (centavos, millionths, UTC ISO)."""
    buffer = io.StringIO()
    for row in batch:
        buffer.write(",".join(_copy_value(row[c]) for c in COPY_COLUMNS))
        buffer.write("\n")
    buffer.seek(0)
    raw = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY proposals ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer)


def insert_batch(session, batch: list[dict]) -> None:
    session.execute(insert(Proposal.__table__), batch)


def main() -> None:
    args = generator_args(__doc__, count=3_000_000, batch=20_000, clients=50_000)

    app = create_app()
    url = app.config["DATABASE_URL"]
    with app.app_context():
        command.upgrade(alembic_config(url), "head")
        session = db.new_session()
        seed_pipeline_settings(session)
        # The banks the proposals name must be registered: the list drops a filter on a
        # bank the registry does not know, so `bank=facta` would silently measure nothing.
        seed_banks(session)
        session.commit()
        clients = ensure_clients(session, args.clients)
        start = session.scalar(select(func.count()).select_from(Proposal))
        write = copy_batch if url.startswith("postgresql") else insert_batch
        done, started = write_in_batches(
            session,
            proposal_rows(args.count, start, args.seed + start, clients),
            args.batch,
            write,
            "propostas",
        )
        rows = rebuild_rollup(session)
        session.commit()
        print(f"Resumo da esteira recalculado: {rows:,} linhas.", flush=True)
        session.close()
        if url.startswith("postgresql"):
            # Fresh statistics and visibility map (index-only scans), as autovacuum would.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE proposals")
                for table in BOARD_TABLES:
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        elapsed = time.perf_counter() - started
        print(f"Pronto: {done:,} propostas em {elapsed:.1f}s ({done / elapsed:,.0f}/s).")


if __name__ == "__main__":
    main()
