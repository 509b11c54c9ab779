"""The load suite's data step: run once against the database the load will use.

    DATABASE_URL=... ATHENAS_SANDBOX_BANK_URL=http://127.0.0.1:PORT \
        .venv/bin/python bench/load/prepare.py PLAN.json

Brings the schema to head, loads the demo (idempotent: banks pointing at the sandbox bank,
status mappings, commission history, statements, reconciliation; on a generated database
it adds its ~3,000 proposals to the generated ones), then adds the load's logins
(bench/load/accounts.py): agents linked to agents of the generated org when it exists (so
each sees a realistic book of clients and proposals), else to new agents of the demo
team, each with a certification, operator codes at the API banks and a few clients ready
for lookups; operations, finance and manager logins, the last two enrolled in TOTP.
Writes PLAN.json: what each Locust user needs to know (its clients, search terms, the
ledger's periods, the dashboard sections). Safe to run twice.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import accounts  # noqa: E402
from alembic import command  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.banks.queries import bank_names  # noqa: E402
from portal.clients.models import Client  # noqa: E402
from portal.clients.seeding import insert_selling_client  # noqa: E402
from portal.commissions.models import LedgerEntry  # noqa: E402
from portal.config import demo_totp_secret  # noqa: E402
from portal.core.audit import SYSTEM  # noqa: E402
from portal.core.crypto import get_keyring  # noqa: E402
from portal.core.documents import generate_cpf  # noqa: E402
from portal.core.migrations import alembic_config  # noqa: E402
from portal.demo import scenarios, seed  # noqa: E402
from portal.demo.banks import follow_sandbox, sandbox_url  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.insights import dashboard  # noqa: E402
from portal.people import certifications, collaborators, mfa, org, services  # noqa: E402
from portal.people import operator_codes as codes  # noqa: E402
from portal.people.models import Collaborator, User  # noqa: E402

# Operator codes the sandbox accepts for each API bank (as the demo agent's).
OPERATOR_CODES = [("facta", "senha-demo-facta"), ("daycoval", None), ("c6", None)]
DEMO_TEAM = "Equipe Sé"
# CPFs that make the sandbox misbehave on purpose: never given to a load client.
SCENARIO_CPFS = {value for name, value in vars(scenarios).items() if name.startswith("CPF_")}


def _generated_agents(session, count: int) -> list[Collaborator]:
    """Agents of the generated org (bench/clients_generate.py) without a login yet."""
    return list(
        session.scalars(
            select(Collaborator)
            .where(Collaborator.name.like("Corretor __-__"), Collaborator.role_group == "agent")
            .where(Collaborator.user_id.is_(None))
            .order_by(Collaborator.id)
            .limit(count)
        )
    )


def _agent_for(session, user: User, number: int, spare: list[Collaborator]) -> Collaborator:
    """The collaborator behind a load agent: its own, a generated one, or a new one."""
    own = collaborators.collaborator_for_user(session, user)
    if own is not None:
        return own
    if spare:
        agent = spare.pop(0)
        agent.user_id = user.id
        session.flush()
        return agent
    rng = random.Random(7700 + number)
    team = org.find_unit(session, "team", DEMO_TEAM)
    return collaborators.create_collaborator(
        session,
        SYSTEM,
        collaborators.CollaboratorInput(
            name=f"Corretor Carga {number:02d}",
            cpf=generate_cpf(rng),
            role_group="agent",
            email=user.email,
            phone=f"119{rng.randrange(10_000_000, 99_999_999)}",
            hired_on=date.today() - timedelta(days=400),
            user_email=user.email,
        ),
        unit_id=team.id if team else None,
    )


def _ready_to_sell(session, agent: Collaborator, number: int, banks) -> list[int]:
    """Certification, operator codes and a few clients the sandbox answers for."""
    today = date.today()
    if certifications.certification_state(agent, today).value != "valid":
        certifications.add_certification(
            session,
            SYSTEM,
            agent,
            issuer="febraban",
            number=f"CARGA-{number:05d}",
            issued_on=today - timedelta(days=30),
            expires_on=today + timedelta(days=700),
        )
    for bank, secret in OPERATOR_CODES:
        if bank in banks and codes.operator_code_for(session, agent.id, bank) is None:
            codes.set_operator_code(
                session,
                SYSTEM,
                agent,
                bank_code=bank,
                operator_code=f"CARGA{number:03d}",
                secret=secret,
                banks=banks,
            )
    ring = get_keyring()
    rng = random.Random(9100 + number)
    ids = []
    for k in range(accounts.SELLING_CLIENTS):
        cpf = generate_cpf(rng)
        while cpf in SCENARIO_CPFS:
            cpf = generate_cpf(rng)
        found = session.scalar(select(Client.id).where(Client.cpf_index == ring.blind_index(cpf, "cpf")))
        if found is None:
            client = insert_selling_client(
                session,
                agent.id,
                cpf,
                f"Cliente Carga {number:02d}-{k}",
                birth_date=date(1958, 3, 10),
                provenance_detail="Teste de carga",
                link={"monthly_income": Decimal("3500.00")},
            )
            found = client.id
        ids.append(found)
    return ids


def _search_terms(session, agent: Collaborator) -> list[str]:
    """What an agent types: first names of their own clients, and one full CPF."""
    rows = session.execute(
        select(Client.name, Client.cpf).where(Client.owner_id == agent.id).order_by(Client.id).limit(40)
    ).all()
    terms = sorted({name.split()[0] for name, _ in rows})[:8]
    return terms + [rows[-1].cpf] if rows else terms


def _user(session, role: str, number: int) -> User:
    email = accounts.email(role, number)
    user = services.find_by_email(session, email)
    if user is None:
        user, _ = services.create_user(
            session,
            SYSTEM,
            email=email,
            name=f"{accounts.NAMES[role]} Carga {number:02d}",
            role=role,
            password=accounts.PASSWORD,
        )
    if role in accounts.MFA_ROLES and not user.mfa_enabled:
        mfa.enrol_with_secret(session, user, accounts.TOTP_SECRET)
    return user


def prepare(session, app) -> dict:
    seed(session, totp_secret=demo_totp_secret(app.config))
    session.flush()
    follow_sandbox(session, sandbox_url())
    banks = bank_names(session)
    plan: dict = {"agents": {}, "roles": {role: accounts.logins(role) for role in accounts.COUNTS}}
    spare = _generated_agents(session, accounts.COUNTS["agent"])
    for number in range(1, accounts.COUNTS["agent"] + 1):
        user = _user(session, "agent", number)
        agent = _agent_for(session, user, number, spare)
        selling = _ready_to_sell(session, agent, number, banks)
        session.flush()
        plan["agents"][user.email] = {"selling": selling, "terms": _search_terms(session, agent)}
    for role in ("operations", "finance", "manager"):
        for number in range(1, accounts.COUNTS[role] + 1):
            _user(session, role, number)
    periods = session.scalars(
        select(LedgerEntry.posting_period)
        .group_by(LedgerEntry.posting_period)
        .order_by(func.max(LedgerEntry.id))
    ).all()
    plan["periods"] = list(periods)[-3:]
    plan["sections"] = list(dashboard.SECTION_SLUGS)
    return plan


def main() -> None:
    out = Path(sys.argv[1])
    app = create_app()
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), "head")
    with app.app_context():
        session = db.new_session()
        try:
            plan = prepare(session, app)
            session.commit()
        finally:
            session.close()
        if db.engine.dialect.name == "postgresql":
            # The demo just wrote ~1.7M ledger rows at 3M: statistics and the visibility map
            # (index-only scans) as autovacuum would leave them before anyone measures.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    out.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Dados da carga prontos: {sum(len(v) for v in plan['roles'].values())} logins; plano em {out}")


if __name__ == "__main__":
    main()
