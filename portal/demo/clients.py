"""Demo clients: ~500 people with benefit links and consents (fixed seed, idempotent).

Owners are the active agent collaborators. When none exist yet (the people demo step may
not have run, or runs later), this step creates a minimal team of its own: a store, a
team, four agent collaborators (the first linked to `agente@demo.athenas`) and the
supervisor `supervisor@demo.athenas` as their supervisor. Re-running changes nothing:
clients are recognised by their CPF (blind index), collaborators by theirs.

IN100 authorisations get a small generated PDF as evidence when an app context gives the
storage directory; without one (plain scripts) they are recorded without a file.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clients.consents import Evidence, store_evidence
from portal.clients.models import BenefitLink, Client, ClientEvent, Consent
from portal.clients.validation import name_key
from portal.core.crypto import get_keyring
from portal.core.documents import generate_cpf
from portal.demo.names import CITIES, FIRST_NAMES, MOBILE_DDDS, STREETS, SURNAMES
from portal.people.models import Collaborator, Membership, OrgUnit, User

CLIENT_COUNT = 500
SEED = 20250401
DEMO_SOURCE = "carteira-demo.csv"
DEMO_AGENTS = ["Ana Corretora", "Bruno Valadão", "Cíntia Araújo", "Davi Conceição"]
INSS_KINDS = ["41", "42", "32", "21", "87", "88"]
BANKS = ["001", "104", "237", "341", "033", "260"]
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def _cpf_taken(session: Session, cpf: str, model: type) -> bool:
    index = get_keyring().blind_index(cpf, "cpf")
    return session.scalar(select(model.id).where(model.cpf_index == index)) is not None  # type: ignore[attr-defined]


def _demo_collaborator(session: Session, rng: random.Random, name: str, **fields: object) -> Collaborator:
    cpf = generate_cpf(rng)
    while _cpf_taken(session, cpf, Collaborator):
        cpf = generate_cpf(rng)
    collaborator = Collaborator(
        name=name, cpf=cpf, cpf_index=get_keyring().blind_index(cpf, "cpf"), status="active", **fields
    )
    session.add(collaborator)
    session.flush()
    return collaborator


def _user(session: Session, email: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email))
    if user is None or session.scalar(select(Collaborator.id).where(Collaborator.user_id == user.id)):
        return None  # absent, or already linked by the people demo
    return user


def ensure_agents(session: Session) -> list[Collaborator]:
    """The agent collaborators that will own demo clients (created when there are none)."""
    agents = list(
        session.scalars(
            select(Collaborator)
            .where(Collaborator.role_group == "agent", Collaborator.status == "active")
            .order_by(Collaborator.id)
        )
    )
    if agents:
        return agents
    rng = random.Random(SEED + 1)
    store = OrgUnit(kind="store", name="Loja Demo Centro")
    session.add(store)
    session.flush()
    team = OrgUnit(kind="team", name="Equipe Demo Consignado", parent_id=store.id)
    session.add(team)
    session.flush()
    since = date(2024, 1, 1)
    sup_user = _user(session, "supervisor@demo.athenas")
    supervisor = _demo_collaborator(
        session,
        rng,
        sup_user.name if sup_user else "Sérgio Supervisor",
        role_group="supervisor",
        user_id=sup_user.id if sup_user else None,
    )
    session.add(Membership(collaborator_id=supervisor.id, org_unit_id=team.id, valid_from=since))
    agent_user = _user(session, "agente@demo.athenas")
    for i, name in enumerate(DEMO_AGENTS):
        agent = _demo_collaborator(
            session,
            rng,
            name,
            role_group="agent",
            supervisor_id=supervisor.id,
            user_id=agent_user.id if (i == 0 and agent_user) else None,
        )
        session.add(Membership(collaborator_id=agent.id, org_unit_id=team.id, valid_from=since))
        agents.append(agent)
    session.flush()
    return agents


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_DDDS)}9{rng.randrange(10**8):08d}"


def _link(rng: random.Random, client_id: int) -> BenefitLink:
    ring = get_keyring()
    roll = rng.random()
    if roll < 0.6:
        agreement, number, kind = "INSS", f"{rng.randrange(10**10):010d}", rng.choice(INSS_KINDS)
        income = Decimal(rng.randrange(151800, 600000)) / 100
    elif roll < 0.75:
        agreement, number, kind = "SIAPE", f"{rng.randrange(10**7):07d}", "Ativo"
        income = Decimal(rng.randrange(400000, 1500000)) / 100
    elif roll < 0.85:
        agreement, number, kind = "GOV-SP", f"{rng.randrange(10**8):08d}", "Estatutário"
        income = Decimal(rng.randrange(300000, 1200000)) / 100
    else:
        agreement, number, kind = "CLT", f"{rng.randrange(10**6):06d}", "Celetista"
        income = Decimal(rng.randrange(151800, 800000)) / 100
    return BenefitLink(
        client_id=client_id,
        agreement=agreement,
        benefit_number=number,
        benefit_index=ring.blind_index(number, "benefit"),
        benefit_kind=kind,
        monthly_income=income,
        payout_bank=rng.choice(BANKS),
        payout_agency=f"{rng.randrange(1, 9999):04d}",
        payout_account=f"{rng.randrange(10**7):07d}-{rng.randrange(10)}",
    )


def _evidence(storage_dir: Path | None, client_name: str) -> dict[str, str | None]:
    if storage_dir is None:
        return {}
    body = (
        "%PDF-1.4\n% Termo de autorização de consulta de benefício (IN100), demonstração\n"
        f"% Titular: {name_key(client_name)}\n%%EOF\n"
    ).encode()
    # Through the same path as a real upload: checked, hashed and encrypted at rest.
    relative, filename, mime, sha256 = store_evidence(storage_dir, Evidence("termo-in100.pdf", body))
    return {
        "evidence_path": relative,
        "evidence_filename": filename,
        "evidence_mime": mime,
        "evidence_sha256": sha256,
    }


def _consents(rng: random.Random, client: Client, storage_dir: Path | None) -> list[Consent]:
    granted = client.created_at + timedelta(minutes=5)
    consents = []
    if rng.random() < 0.9:
        consents.append(
            Consent(
                purpose="benefit_query",
                legal_basis="consent",
                channel="digital_signature",
                **_evidence(storage_dir, client.name),
            )
        )
    if rng.random() < 0.7:
        consents.append(Consent(purpose="contact", legal_basis="legitimate_interest", channel="phone"))
    if rng.random() < 0.2:
        consents.append(Consent(purpose="marketing", legal_basis="consent", channel="whatsapp"))
    for consent in consents:
        consent.client_id = client.id
        consent.granted_at = granted
        if rng.random() < 0.05:
            consent.revoked_at = granted + timedelta(days=rng.randrange(1, 300))
    return consents


def seed_clients(session: Session) -> None:
    """Create the demo clients that do not exist yet."""
    agents = ensure_agents(session)
    storage = Path(current_app.config["STORAGE_DIR"]) if has_app_context() else None
    ring = get_keyring()
    rng = random.Random(SEED)
    for i in range(CLIENT_COUNT):
        cpf = generate_cpf(rng)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        city, uf, cep = rng.choice(CITIES)
        phone = _phone(rng)
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        created = NOW - timedelta(days=rng.randrange(30, 365 * 7))
        active_days = rng.randrange(0, (NOW - created).days + 1)
        state = rng.getstate()  # the rest of this client's draws, whether created now or not
        cpf_index = ring.blind_index(cpf, "cpf")
        if session.scalar(select(Client.id).where(Client.cpf_index == cpf_index)) is not None:
            continue
        client = Client(
            owner_id=agents[i % len(agents)].id,
            cpf=cpf,
            cpf_index=cpf_index,
            name=name,
            name_search=name_key(name),
            birth_date=birth,
            email=f"{name_key(name).replace(' ', '.')}@exemplo.com.br",
            phone=phone,
            phone_index=ring.blind_index(phone, "phone"),
            cep=cep,
            city=city,
            state=uf,
            street=rng.choice(STREETS),
            number=str(rng.randrange(1, 3000)),
            district="Centro",
            provenance="import",
            provenance_detail=DEMO_SOURCE,
            status="active",
            created_at=created,
            updated_at=created,
            last_activity_at=created + timedelta(days=active_days),
        )
        session.add(client)
        session.flush()
        links = [_link(rng, client.id) for _ in range(1 if rng.random() < 0.8 else 2)]
        session.add_all(links)
        session.add_all(_consents(rng, client, storage))
        session.add(
            ClientEvent(
                client_id=client.id,
                occurred_at=created,
                kind="client.created",
                summary="Cliente cadastrado (Arquivo importado).",
                actor_label="demonstração",
            )
        )
        rng.setstate(state)
    session.flush()
