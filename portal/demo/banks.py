"""Demo banks pointing at the local sandbox bank, and the regulatory parameters in force.

`ATHENAS_SANDBOX_BANK_URL` (default http://127.0.0.1:8099) is where `make run` starts the
sandbox; the credentials below are ones the sandbox accepts. Safe to run twice: existing
rows are left as the admin configured them, except that demo banks still pointing at a
local sandbox follow the address configured now (`follow_sandbox`, also run by `serve`).
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks import rules
from portal.banks.models import Bank
from portal.banks.service import ensure_bank
from portal.banks.types import Capability
from portal.clients.models import Client, ClientEvent
from portal.clients.seeding import insert_selling_client
from portal.core import audit
from portal.core.audit import SYSTEM
from portal.core.crypto import get_keyring
from portal.core.db import utcnow
from portal.demo import scenarios
from portal.people.models import Collaborator, User
from portal.proposals import mapping
from portal.proposals.statuses import Status

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8099"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEMO_WEBHOOK_SECRET = "athenas-demo-webhook-secret"  # noqa: S105 - sandbox-only demo secret

_API = [Capability.BENEFIT_QUERY, Capability.SIMULATE, Capability.SUBMIT, Capability.FETCH_STATUS]
DEMO_BANKS = [
    ("facta", "Facta", _API, {"user": "athenas.demo", "password": "demo-facta"}),
    (
        "daycoval",
        "Daycoval",
        [*_API, Capability.RECEIVE_WEBHOOK],
        {"apikey": "demo-daycoval", "service_login": "athenas.sync"},
    ),
    ("c6", "C6 Consig", [*_API, Capability.RECEIVE_WEBHOOK], {"username": "athenas", "password": "demo-c6"}),
    (
        "master",
        "Banco Master",
        [Capability.BENEFIT_QUERY, Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK],
        {"cnpj": "12345678000190", "password": "demo-master"},
    ),
    ("bradesco", "Bradesco Promotora", [Capability.FILE_ONLY], None),
]


def sandbox_url() -> str:
    return (os.environ.get("ATHENAS_SANDBOX_BANK_URL") or DEFAULT_SANDBOX_URL).rstrip("/")


def _is_sandbox_address(url: str, code: str) -> bool:
    """A demo bank still pointing at a local sandbox (any port), not at a real bank an
    admin configured: loopback host and the sandbox's per-bank path."""
    parts = urlsplit(url or "")
    return parts.hostname in LOOPBACK and parts.path.rstrip("/") == f"/{code}"


def follow_sandbox(session: Session, base: str | None = None) -> list[str]:
    """Point the demo banks at the sandbox address configured now (`make run` with another
    SANDBOX_PORT or ATHENAS_SANDBOX_BANK_URL); banks an admin pointed elsewhere are left
    alone. Returns the codes that changed."""
    base = (base or sandbox_url()).rstrip("/")
    moved = []
    for code, _name, _capabilities, credentials in DEMO_BANKS:
        bank = session.scalar(select(Bank).where(Bank.code == code))
        target = f"{base}/{code}"
        if credentials is None or bank is None or bank.base_url == target:
            continue
        if _is_sandbox_address(bank.base_url, code):
            change = {"from": bank.base_url, "to": target}
            audit.record(session, SYSTEM, "bank.sandbox_followed", f"bank:{code}", change)
            bank.base_url = target
            moved.append(code)
    session.flush()
    return moved


def seed_banks(session: Session) -> None:
    base = sandbox_url()
    follow_sandbox(session, base)
    for code, name, capabilities, credentials in DEMO_BANKS:
        file_only = credentials is None
        ensure_bank(
            session,
            code,
            name=name,
            base_url="" if file_only else f"{base}/{code}",
            enabled=True,
            capabilities=capabilities,
            credentials=credentials,
            webhook_secret=DEMO_WEBHOOK_SECRET if Capability.RECEIVE_WEBHOOK in capabilities else None,
            under_liquidation=code == "master",
            file_only=file_only,
            connect_timeout=3.0,
            read_timeout=15.0,
            breaker_threshold=5,
            breaker_cooldown_s=30.0,
        )


# The sandbox's status strings (sandbox_bank.core.FLOWS) -> canonical statuses.
STATUS_MAPPINGS: dict[str, list[tuple[str, Status]]] = {
    "facta": [
        ("AGUARDANDO ASSINATURA DIGITAL", Status.WAITING_SIGNATURE),
        ("ASSINADO", Status.SIGNED),
        ("EM ANALISE", Status.UNDER_ANALYSIS),
        ("AGUARDA AVERBACAO", Status.AWAITING_ENDORSEMENT),
        ("AVERBADO", Status.ENDORSED),
        ("PAGO", Status.PAID),
    ],
    "daycoval": [
        ("AGUARDANDO ASSINATURA", Status.WAITING_SIGNATURE),
        ("EM ANALISE", Status.UNDER_ANALYSIS),
        ("AGUARDANDO AVERBACAO", Status.AWAITING_ENDORSEMENT),
        ("AVERBADA", Status.ENDORSED),
        ("INTEGRADA", Status.PAID),
    ],
    "c6": [
        ("AGUARDANDO_ASSINATURA", Status.WAITING_SIGNATURE),
        ("ASSINADA", Status.SIGNED),
        ("EM_ANALISE", Status.UNDER_ANALYSIS),
        ("APROVADA", Status.AWAITING_ENDORSEMENT),
        ("DESEMBOLSADA", Status.PAID),
    ],
    "master": [
        ("AGUARDANDO_FORMALIZACAO", Status.WAITING_SIGNATURE),
        ("EM_ANALISE", Status.UNDER_ANALYSIS),
        ("AVERBADA", Status.ENDORSED),
        ("PAGA", Status.PAID),
    ],
}


def seed_status_mappings(session: Session) -> None:
    """Map the sandbox banks' status strings (kept when operations already mapped them)."""
    for bank_code, pairs in STATUS_MAPPINGS.items():
        for bank_status, status in pairs:
            if mapping.lookup(session, bank_code, bank_status) is None:
                mapping.set_mapping(session, bank_code, bank_status, status)


def seed_parameters(session: Session) -> None:
    rules.ensure_defaults(session, SYSTEM)


# Clients of the demo agent whose CPFs trigger the sandbox's behaviours (see scenarios.py).
SANDBOX_CLIENTS = [
    (scenarios.CPF_MARGIN_OK, "Maria Sandbox Margem Livre"),
    (scenarios.CPF_BLOCKED, "José Sandbox Benefício Bloqueado"),
    (scenarios.CPF_SLOW, "Lúcia Sandbox Banco Lento"),
    (scenarios.CPF_ACCEPTED_THEN_TIMEOUT, "Pedro Sandbox Sem Confirmação"),
]
DEMO_AGENT_EMAIL = "agente@demo.athenas"


def seed_sandbox_clients(session: Session) -> None:
    """Clients of the demo agent ready for lookups, simulations and submissions."""
    agent = session.scalar(
        select(Collaborator).join(User, User.id == Collaborator.user_id).where(User.email == DEMO_AGENT_EMAIL)
    )
    if agent is None:
        return
    ring = get_keyring()
    for cpf, name in SANDBOX_CLIENTS:
        index = ring.blind_index(cpf, "cpf")
        if session.scalar(select(Client.id).where(Client.cpf_index == index)) is not None:
            continue
        client = insert_selling_client(
            session,
            agent.id,
            cpf,
            name,
            birth_date=date(1957, 5, 20),
            provenance_detail="Demonstração do banco sandbox",
            link={"monthly_income": Decimal("3200.00")},
        )
        session.add(
            ClientEvent(
                client_id=client.id,
                occurred_at=utcnow(),
                kind="client.created",
                summary="Cliente de demonstração do banco sandbox.",
                actor_label="demonstração",
            )
        )
    session.flush()
