"""Plain factory functions: real rows through real services where it matters."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from portal.core import passwords
from portal.people.models import User

PASSWORD = "senha-de-teste-123"  # noqa: S105
_seq = itertools.count(1)


def user(session: Session, role: str = "agent", **fields: object) -> User:
    n = next(_seq)
    values: dict[str, object] = {
        "email": f"usuario{n}@teste.athenas",
        "name": f"Usuário {n}",
        "role": role,
        "active": True,
        "password_hash": passwords.hash_password(PASSWORD),
        "must_change_password": False,
        "auth_version": 1,
    }
    values.update(fields)
    obj = User(**values)
    session.add(obj)
    session.flush()
    return obj


def org_unit(session: Session, kind: str = "team", name: str | None = None, parent=None, **fields: object):
    from portal.people.models import OrgUnit

    n = next(_seq)
    obj = OrgUnit(kind=kind, name=name or f"{kind} {n}", parent_id=parent.id if parent else None, **fields)
    session.add(obj)
    session.flush()
    return obj


def collaborator(
    session: Session,
    user_obj: User | None = None,
    unit=None,
    role_group: str = "agent",
    since=None,
    **fields: object,
):
    """A collaborator with a valid generated CPF, optionally linked to a login and a unit."""
    import random
    from datetime import date

    from portal.core.crypto import get_keyring
    from portal.core.documents import generate_cpf
    from portal.people.models import Collaborator, Membership

    n = next(_seq)
    cpf = fields.pop("cpf", None) or generate_cpf(random.Random(n * 7919))
    obj = Collaborator(
        user_id=user_obj.id if user_obj else None,
        name=fields.pop("name", None) or (user_obj.name if user_obj else f"Colaborador {n}"),
        cpf=cpf,
        cpf_index=get_keyring().blind_index(cpf, "cpf"),
        role_group=role_group,
        status="active",
        **fields,
    )
    session.add(obj)
    session.flush()
    if unit is not None:
        session.add(
            Membership(collaborator_id=obj.id, org_unit_id=unit.id, valid_from=since or date(2020, 1, 1))
        )
        session.flush()
    return obj


def certification(session: Session, collaborator_obj, expires_on, issued_on=None, **fields: object):
    """A certification row (no evidence file) for `collaborator_obj`."""
    from datetime import timedelta

    from portal.people.models import Certification

    obj = Certification(
        collaborator_id=collaborator_obj.id,
        issuer=fields.pop("issuer", "febraban"),
        number=fields.pop("number", f"CERT-{next(_seq)}"),
        issued_on=issued_on or expires_on - timedelta(days=3 * 365),
        expires_on=expires_on,
        **fields,
    )
    session.add(obj)
    session.flush()
    session.expire(collaborator_obj, ["certifications"])
    return obj


# ---------------------------------------------------------------- clients (issue #4)


def client(session: Session, owner, cpf: str | None = None, name: str | None = None, **fields: object):
    """A client row with valid encrypted CPF and its blind indexes (bypasses the service)."""
    import random

    from portal.clients.seeding import insert_client
    from portal.core.documents import generate_cpf

    n = next(_seq)
    return insert_client(
        session, owner.id, cpf or generate_cpf(random.Random(n * 104729)), name or f"Cliente {n}", **fields
    )


def registered_client(session: Session, user, *, link: dict[str, str], **client_fields: str):
    """A client registered by `user` through the real services (validation, timeline, audit)
    from raw form values, with one benefit link (`link`: raw LinkInput values)."""
    from portal.clients import services
    from portal.core.audit import SYSTEM

    obj = services.create_client(session, SYSTEM, user, services.ClientInput(**client_fields))
    services.add_link(session, SYSTEM, obj, services.LinkInput(**link))
    return obj


def client_org(db):
    """Two stores, three teams, agents with logins, a supervisor, a store manager, operations
    (attributes: agent_user/agent, peer_user/peer, other_team_agent, other_store_agent,
    supervisor_user, manager_user, operations_user)."""
    from types import SimpleNamespace

    company = org_unit(db, "company", "Empresa")
    store_a = org_unit(db, "store", "Loja A", company)
    store_b = org_unit(db, "store", "Loja B", company)
    team_a1 = org_unit(db, "team", "Equipe A1", store_a)
    team_a2 = org_unit(db, "team", "Equipe A2", store_a)
    team_b1 = org_unit(db, "team", "Equipe B1", store_b)
    agent_user = user(db, role="agent")
    peer_user = user(db, role="agent")
    supervisor_user = user(db, role="supervisor")
    manager_user = user(db, role="manager")
    collaborator(db, supervisor_user, team_a1, role_group="supervisor")
    collaborator(db, manager_user, store_a, role_group="manager")
    return SimpleNamespace(
        agent_user=agent_user,
        agent=collaborator(db, agent_user, team_a1),
        peer_user=peer_user,
        peer=collaborator(db, peer_user, team_a1),
        other_team_agent=collaborator(db, None, team_a2),
        other_store_agent=collaborator(db, None, team_b1),
        supervisor_user=supervisor_user,
        manager_user=manager_user,
        operations_user=user(db, role="operations"),
    )


def proposal(session: Session, client_obj, agent=None, status: str = "submitted", **fields: object):
    """A proposal created through the real service (events and audit included)."""
    from decimal import Decimal

    from portal.core.audit import SYSTEM
    from portal.proposals.services import NewProposal, create_proposal
    from portal.proposals.statuses import Status

    values: dict[str, object] = {
        "client_id": client_obj.id,
        "agent_id": (agent or client_obj.owner).id,
        "bank_code": "facta",
        "product": "new",
        "agreement": "INSS",
        "term_months": 84,
        "gross_amount": Decimal("10000.00"),
        "net_amount": Decimal("9500.00"),
        "installment": Decimal("245.10"),
        "monthly_rate": Decimal("1.79"),
        "origin": "api",
    }
    values.update(fields)
    return create_proposal(session, SYSTEM, NewProposal(**values), status=Status(status))


def bank(session: Session, code: str = "facta", base_url: str = "http://127.0.0.1:9/facta", **fields: object):
    """A configured bank row (credentials given as a dict are stored encrypted as JSON)."""
    import json

    from portal.banks.models import Bank
    from portal.banks.types import Capability

    credentials = fields.pop("credentials", {"user": "u", "password": "p"})
    capabilities = fields.pop(
        "capabilities",
        [Capability.BENEFIT_QUERY, Capability.SIMULATE, Capability.SUBMIT, Capability.FETCH_STATUS],
    )
    values: dict[str, object] = {
        "name": code.capitalize(),
        "enabled": True,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "breaker_threshold": 3,
        "breaker_cooldown_s": 0.5,
    }
    values.update(fields)
    obj = Bank(
        code=code,
        base_url=base_url,
        capabilities=",".join(str(c) for c in capabilities),
        credentials=json.dumps(credentials) if credentials else None,
        **values,
    )
    session.add(obj)
    session.flush()
    return obj


def regulatory_defaults(session: Session) -> None:
    """The INSS parameters in force (35/5/5, 1,85%/2,46% a.m., 84 months, 90 days)."""
    from portal.banks import rules
    from portal.core.audit import SYSTEM

    rules.ensure_defaults(session, SYSTEM)


def selling_client(session: Session, owner, cpf: str, *, consent: bool = True, **link_fields: object):
    """A client ready for bank lookups and submissions: birth date, address, an INSS link
    with payout account and income, and (by default) a valid IN100 authorisation."""
    from datetime import date

    from portal.clients.seeding import insert_selling_client

    return insert_selling_client(
        session,
        owner.id,
        cpf,
        f"Cliente {next(_seq)}",
        birth_date=date(1958, 3, 14),
        consent=consent,
        link=link_fields,
    )


def operator_code(session: Session, collaborator_obj, bank_code: str, code: str | None = None, secret=None):
    from portal.people.models import OperatorCode

    obj = OperatorCode(
        collaborator_id=collaborator_obj.id,
        bank_code=bank_code,
        operator_code=code or f"op.{bank_code}.{next(_seq)}",
        secret=secret,
    )
    session.add(obj)
    session.flush()
    return obj
