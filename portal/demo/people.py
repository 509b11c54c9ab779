"""Demo organisation and collaborators (idempotent).

Athenas Promotora (company) → 2 regionals → 3 stores → 6 teams, plus one
sub-correspondent; 20 collaborators with valid generated CPFs (fixed seed), most with a
valid certification, 3 expiring within 30 days, 2 expired, 1 without any.

Demo logins linked to collaborators:
- agente@demo.athenas → Ana Corretora, agent in "Equipe Sé" (certification expiring, so
  the warning shows on her home page), supervised by Sérgio;
- supervisor@demo.athenas → Sérgio Supervisor, supervisor of "Equipe Sé" (sees its
  members, read-only);
- gerente@demo.athenas → Gabriela Gerente, a company-wide manager: a collaborator with
  no unit membership, which scope.py reads as "sees everyone".
Dates are relative to the day the seed first runs; a second run changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.queries import bank_names
from portal.core.audit import SYSTEM
from portal.core.documents import generate_cnpj, generate_cpf
from portal.people import certifications, collaborators, operator_codes, org, services
from portal.people.models import Collaborator, OrgUnit

COMPANY = "Athenas Promotora"
SUB_CORRESPONDENT = "Crédito Fácil Substabelecida Ltda."
# (regional, [(store, city, state, cep, [teams])])
STRUCTURE = [
    (
        "Regional Sudeste",
        [
            ("Loja São Paulo – Sé", "São Paulo", "SP", "01001000", ["Equipe Sé", "Equipe Liberdade"]),
            ("Loja Campinas", "Campinas", "SP", "13010111", ["Equipe Cambuí", "Equipe Taquaral"]),
        ],
    ),
    (
        "Regional Nordeste",
        [("Loja Recife", "Recife", "PE", "50010000", ["Equipe Boa Vista", "Equipe Recife Antigo"])],
    ),
]

# (name, role group, team, supervisor name, login e-mail, certification: days to expiry or None)
PEOPLE = [
    ("Sérgio Supervisor", "supervisor", "Equipe Sé", None, "supervisor@demo.athenas", 400),
    ("Ana Corretora", "agent", "Equipe Sé", "Sérgio Supervisor", "agente@demo.athenas", 12),
    ("João D'Ávila Conceição", "agent", "Equipe Sé", "Sérgio Supervisor", None, 250),
    ("Márcia Lúcia Gonçalves", "agent", "Equipe Sé", "Sérgio Supervisor", None, -20),
    ("Luís Otávio Brandão", "counter", "Equipe Sé", "Sérgio Supervisor", None, 5),
    ("Thaís Araújo Nóbrega", "supervisor", "Equipe Liberdade", None, None, 300),
    ("Cauã Ribeiro", "agent", "Equipe Liberdade", "Thaís Araújo Nóbrega", None, 180),
    ("Fernanda O'Neill Prado", "partner", "Equipe Liberdade", "Thaís Araújo Nóbrega", None, 90),
    ("Renato Câmara", "supervisor", "Equipe Cambuí", None, None, 500),
    ("Patrícia Simões", "agent", "Equipe Cambuí", "Renato Câmara", None, 28),
    ("Vinícius Ávila", "referrer", "Equipe Cambuí", "Renato Câmara", None, 365),
    ("Letícia Mendonça", "agent", "Equipe Taquaral", "Renato Câmara", None, 200),
    ("André Conceição Leão", "employee", "Equipe Taquaral", "Renato Câmara", None, None),
    ("Joana Müller", "supervisor", "Equipe Boa Vista", None, None, 420),
    ("Severino Araújo", "agent", "Equipe Boa Vista", "Joana Müller", None, -3),
    ("Maria das Graças Souza", "agent", "Equipe Boa Vista", "Joana Müller", None, 150),
    ("Raimundo Nonato Sá", "agent", "Equipe Recife Antigo", "Joana Müller", None, 330),
    ("Iracema Tupinambá", "partner", "Equipe Recife Antigo", "Joana Müller", None, 75),
    ("Otávio Guimarães", "agent", "Crédito Fácil – Equipe Externa", None, None, 210),
    ("Gabriela Gerente", "manager", None, None, "gerente@demo.athenas", 700),
]

OPERATOR_CODES = {
    "Ana Corretora": [("facta", "AF10231", "senha-demo-facta"), ("daycoval", "ana.corretora", None)],
    "João D'Ávila Conceição": [("facta", "AF10232", None), ("c6", "JDAVILA", None)],
    "Márcia Lúcia Gonçalves": [("facta", "AF10233", None)],
    "Cauã Ribeiro": [("bradesco", "BRD-7781", None), ("c6", "CRIBEIRO", None)],
    "Patrícia Simões": [("daycoval", "patricia.simoes", "token-demo-day")],
    "Severino Araújo": [("master", "11222333000181-sa", None)],
}


def _unit(session: Session, kind: str, name: str, **fields) -> OrgUnit:
    existing = org.find_unit(session, kind, name)
    return existing or org.create_unit(session, SYSTEM, kind=kind, name=name, **fields)


def seed_org(session: Session) -> dict[str, OrgUnit]:
    rng = random.Random(4935)  # noqa: S311 - demo data
    company = _unit(
        session, "company", COMPANY, cnpj=generate_cnpj(rng), cep="01310100", city="São Paulo", state="SP"
    )
    units = {COMPANY: company}
    sub = _unit(
        session, "sub_correspondent", SUB_CORRESPONDENT, parent_id=company.id, cnpj=generate_cnpj(rng)
    )
    units["Crédito Fácil – Equipe Externa"] = _unit(
        session, "team", "Crédito Fácil – Equipe Externa", parent_id=sub.id
    )
    for regional_name, stores in STRUCTURE:
        regional = _unit(session, "regional", regional_name, parent_id=company.id)
        for store_name, city, state, cep, teams in stores:
            store = _unit(
                session, "store", store_name, parent_id=regional.id, cep=cep, city=city, state=state
            )
            units[store_name] = store
            for team in teams:
                units[team] = _unit(session, "team", team, parent_id=store.id)
    return units


def seed_collaborators(session: Session) -> None:
    units = seed_org(session)
    banks = bank_names(session)  # seeded before the people
    today = date.today()
    by_name: dict[str, Collaborator] = {}
    for index, (name, group, team, supervisor, login, days) in enumerate(PEOPLE):
        rng = random.Random(20251 + index)  # noqa: S311 - demo data, stable per person
        cpf = generate_cpf(rng)
        existing = session.scalar(
            select(Collaborator).where(Collaborator.cpf_index == collaborators.cpf_index(cpf))
        )
        if existing is not None:
            by_name[name] = existing
            continue
        user = services.find_by_email(session, login) if login else None
        hired = today - timedelta(days=400 + 37 * index)
        person = collaborators.create_collaborator(
            session,
            SYSTEM,
            collaborators.CollaboratorInput(
                name=name,
                cpf=cpf,
                role_group=group,
                email=login or f"colaborador{index + 1}@demo.athenas",
                phone=f"119{rng.randrange(10_000_000, 99_999_999)}",
                supervisor_id=by_name[supervisor].id if supervisor else None,
                hired_on=hired,
                user_email=user.email if user else None,
            ),
            unit_id=units[team].id if team else None,
        )
        by_name[name] = person
        if days is not None:
            expires = today + timedelta(days=days)
            certifications.add_certification(
                session,
                SYSTEM,
                person,
                issuer=["febraban", "abbc", "aneps"][index % 3],
                number=f"CERT-{index + 1:05d}",
                issued_on=min(expires - timedelta(days=3 * 365), today),
                expires_on=expires,
            )
        for bank, code, secret in OPERATOR_CODES.get(name, []):  # type: ignore[attr-defined]
            operator_codes.set_operator_code(
                session, SYSTEM, person, bank_code=bank, operator_code=code, secret=secret, banks=banks
            )
