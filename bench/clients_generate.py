"""Generate many clients fast, for the client-registry benchmark.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench \
        .venv/bin/python bench/clients_generate.py --count 1000000

Creates (once) a bench org: one store, 20 teams, 25 agents per team, a supervisor per team
and a login for the first agent and first supervisor (`bench-agente@...`, `bench-supervisor@...`),
then bulk-inserts clients with Core `insert()` + executemany in batches: valid CPFs (unique,
from a seeded generator), Brazilian names, encrypted CPF and phone with their blind indexes,
owners spread over the agents. Existing CPFs are skipped (ON CONFLICT DO NOTHING), so the
script can be run again to add more rows with another `--seed`.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import generator_args, write_in_batches  # noqa: E402
from alembic import command  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.dialects import postgresql, sqlite  # noqa: E402

from portal import create_app  # noqa: E402
from portal.clients.models import Client  # noqa: E402
from portal.clients.validation import name_key  # noqa: E402
from portal.core.crypto import get_keyring  # noqa: E402
from portal.core.documents import generate_cpf  # noqa: E402
from portal.core.migrations import alembic_config  # noqa: E402
from portal.demo.names import CITIES, FIRST_NAMES, MOBILE_DDDS, SURNAMES  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.people.models import Collaborator, Membership, OrgUnit, User  # noqa: E402

TEAMS = 20
AGENTS_PER_TEAM = 25
BENCH_AGENT = "bench-agente@bench.athenas"
BENCH_SUPERVISOR = "bench-supervisor@bench.athenas"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _collaborator(session, rng, name, role_group, user=None, supervisor=None):
    ring = get_keyring()
    cpf = generate_cpf(rng)
    obj = Collaborator(
        name=name,
        cpf=cpf,
        cpf_index=ring.blind_index(cpf, "cpf"),
        role_group=role_group,
        status="active",
        user_id=user.id if user else None,
        supervisor_id=supervisor.id if supervisor else None,
    )
    session.add(obj)
    session.flush()
    return obj


def ensure_org(session) -> list[int]:
    """Agents of the bench org (created on the first run); returns their ids."""
    existing = session.scalar(select(User).where(User.email == BENCH_AGENT))
    if existing is None:
        rng = random.Random(7)
        store = OrgUnit(kind="store", name="Loja Bench")
        session.add(store)
        session.flush()
        for t in range(TEAMS):
            team = OrgUnit(kind="team", name=f"Equipe Bench {t:02d}", parent_id=store.id)
            session.add(team)
            session.flush()
            sup_user = agent_user = None
            if t == 0:
                sup_user = User(email=BENCH_SUPERVISOR, name="Supervisor Bench", role="supervisor")
                agent_user = User(email=BENCH_AGENT, name="Agente Bench", role="agent")
                session.add_all([sup_user, agent_user])
                session.flush()
            sup = _collaborator(session, rng, f"Supervisor {t:02d}", "supervisor", sup_user)
            session.add(Membership(collaborator_id=sup.id, org_unit_id=team.id, valid_from=date(2020, 1, 1)))
            for a in range(AGENTS_PER_TEAM):
                user = agent_user if a == 0 else None
                agent = _collaborator(session, rng, f"Corretor {t:02d}-{a:02d}", "agent", user, sup)
                session.add(
                    Membership(collaborator_id=agent.id, org_unit_id=team.id, valid_from=date(2020, 1, 1))
                )
        session.commit()
    return list(
        session.scalars(
            select(Collaborator.id).where(Collaborator.name.like("Corretor __-__")).order_by(Collaborator.id)
        )
    )


def rows(count: int, seed: int, owners: list[int]):
    """Yield client rows as dictionaries of column values (encryption happens on bind)."""
    ring = get_keyring()
    rng = random.Random(seed)
    seen: set[str] = set()
    produced = 0
    while produced < count:
        cpf = generate_cpf(rng)
        if cpf in seen:
            continue
        seen.add(cpf)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        phone = f"{rng.choice(MOBILE_DDDS)}9{rng.randrange(10**8):08d}"
        city, uf, cep = rng.choice(CITIES)
        created = NOW - timedelta(days=rng.randrange(3650))
        produced += 1
        yield {
            "owner_id": owners[produced % len(owners)],
            "cpf": cpf,
            "cpf_index": ring.blind_index(cpf, "cpf"),
            "name": name,
            "name_search": name_key(name),
            "phone": phone,
            "phone_index": ring.blind_index(phone, "phone"),
            "cep": cep,
            "city": city,
            "state": uf,
            "provenance": "import",
            "provenance_detail": "bench",
            "status": "active",
            "last_activity_at": created,
            "created_at": created,
            "updated_at": created,
        }


def main() -> None:
    args = generator_args(__doc__, count=1_000_000, batch=10_000)

    app = create_app()
    url = app.config["DATABASE_URL"]
    with app.app_context():
        command.upgrade(alembic_config(url), "head")
        session = db.new_session()
        owners = ensure_org(session)
        dialect = sqlite if url.startswith("sqlite") else postgresql
        statement = dialect.insert(Client.__table__).on_conflict_do_nothing()
        done, started = write_in_batches(
            session,
            rows(args.count, args.seed, owners),
            args.batch,
            lambda s, batch: s.execute(statement, batch),
            "clientes",
        )
        if url.startswith("postgresql"):
            session.connection().exec_driver_sql("ANALYZE clients")
            session.commit()
        session.close()
        elapsed = time.perf_counter() - started
        print(f"Pronto: {done:,} clientes em {elapsed:.1f}s ({done / elapsed:,.0f}/s).")


if __name__ == "__main__":
    main()
