"""Client registry writes: create, edit, benefit links.

Each function validates everything first (nothing is written on bad input), changes
state, records the timeline event and the audit entry, and flushes; the caller commits.
Audit details and timeline summaries name fields, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.clients import validation as clean
from portal.clients.models import BenefitLink, Client, ClientStatus, Provenance
from portal.clients.queries import clients_for, find_by_cpf
from portal.clients.timeline import add_timeline_event
from portal.core import audit
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.errors import DomainError, ErrorCollector, NotFound
from portal.people.models import Collaborator, User
from portal.people.permissions import Role
from portal.people.scope import UNSCOPED_ROLES, visible_collaborator_ids

Row = TypeVar("Row")


def client_row(session: Session, model: type[Row], client: Client, row_id: int, missing: str) -> Row:
    """Row `row_id` of `model` when it belongs to `client`; NotFound(`missing`) otherwise."""
    row = session.get(model, row_id)
    if row is None or row.client_id != client.id:  # type: ignore[attr-defined]
        raise NotFound(missing)
    return row


def record_change(
    session: Session, actor: Actor, client: Client, kind: str, summary: str, action: str, details: Any
) -> None:
    """One change to `client`: its timeline event (`kind`, `summary`) and audit entry (`action`)."""
    add_timeline_event(session, client, kind, summary, actor)
    audit.record(session, actor, action, f"client:{client.id}", details)


class DuplicateClient(DomainError):
    """The CPF is already registered; `visible` says whether the user may open it."""

    def __init__(self, existing_id: int, visible: bool) -> None:
        message = (
            "Este CPF já está cadastrado."
            if visible
            else "Este CPF já está cadastrado na carteira de outro corretor."
        )
        super().__init__(message, field="cpf")
        self.existing_id = existing_id
        self.visible = visible


@dataclass
class ClientInput:
    """Raw form values (strings as typed)."""

    cpf: str = ""
    name: str = ""
    birth_date: str = ""
    email: str = ""
    phone: str = ""
    phone_alt: str = ""
    cep: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    provenance: str = ""
    provenance_detail: str = ""


FIELD_LABELS = {
    "name": "nome",
    "birth_date": "data de nascimento",
    "email": "e-mail",
    "phone": "telefone",
    "phone_alt": "telefone alternativo",
    "cep": "CEP",
    "street": "logradouro",
    "number": "número",
    "complement": "complemento",
    "district": "bairro",
    "city": "cidade",
    "state": "UF",
    "provenance": "origem",
    "provenance_detail": "detalhe da origem",
    "owner_id": "corretor responsável",
}


def _clean(data: ClientInput, today: date, errors: ErrorCollector | None = None) -> dict[str, object]:
    """Validated values of every field except the CPF; every wrong field is reported
    at once (FieldErrors), together with any errors already in `errors`."""
    errors = errors or ErrorCollector()
    provenance = errors.check(_provenance, data.provenance)
    detail = errors.check(clean.text, data.provenance_detail, "provenance_detail", "Detalhe da origem", 200)
    if provenance == Provenance.IMPORT and not detail and not errors.failed("provenance_detail"):
        errors.errors.append(DomainError("Informe o nome do arquivo importado.", field="provenance_detail"))
    values: dict[str, object] = {
        "name": errors.check(clean.name, data.name),
        "birth_date": errors.check(clean.birth_date, data.birth_date, today),
        "email": errors.check(clean.email, data.email),
        "phone": errors.check(clean.phone, data.phone),
        "phone_alt": errors.check(clean.phone, data.phone_alt, "phone_alt"),
        "cep": errors.check(clean.cep, data.cep),
        "street": errors.check(clean.text, data.street, "street", "Logradouro", 200),
        "number": errors.check(clean.text, data.number, "number", "Número", 20),
        "complement": errors.check(clean.text, data.complement, "complement", "Complemento", 100),
        "district": errors.check(clean.text, data.district, "district", "Bairro", 100),
        "city": errors.check(clean.text, data.city, "city", "Cidade", 100),
        "state": errors.check(clean.state, data.state),
        "provenance": provenance,
        "provenance_detail": detail,
    }
    errors.check(clean.cep_in_state, values["cep"], values["state"])
    errors.raise_if_any()
    return values


def check_client_input(data: ClientInput, today: date) -> None:
    """Every problem of a new client's data at once (FieldErrors), writing nothing."""
    errors = ErrorCollector()
    errors.check(clean.cpf, data.cpf)
    _clean(data, today, errors)


def _provenance(raw: str) -> str:
    try:
        return Provenance(raw).value
    except ValueError:
        raise DomainError("Informe a origem dos dados.", field="provenance") from None


def _apply(client: Client, values: dict[str, object]) -> list[str]:
    """Set the values; return the names of the fields that changed."""
    ring = get_keyring()
    changed = [key for key, value in values.items() if getattr(client, key) != value]
    for key, value in values.items():
        setattr(client, key, value)
    client.name_search = clean.name_key(client.name)
    client.phone_index = ring.blind_index(client.phone, "phone") if client.phone else None
    client.phone_alt_index = ring.blind_index(client.phone_alt, "phone") if client.phone_alt else None
    return changed


# ------------------------------------------------------------------ owners


def own_collaborator(session: Session, user: User) -> Collaborator | None:
    return session.scalar(select(Collaborator).where(Collaborator.user_id == user.id))


def assignable_owners(session: Session, user: User) -> Select:
    """Active collaborators `user` may make responsible for a client."""
    stmt = select(Collaborator).where(Collaborator.status == "active").order_by(Collaborator.name)
    if Role(user.role) == Role.AGENT:
        return stmt.where(Collaborator.user_id == user.id)
    visible = visible_collaborator_ids(session, user)
    return stmt if visible is None else stmt.where(Collaborator.id.in_(visible))


def resolve_owner(session: Session, user: User, owner_id: int | None) -> Collaborator:
    """Agent → their own collaborator; others choose among the assignable ones
    (defaulting to themselves when they are a collaborator)."""
    role = Role(user.role)
    own = own_collaborator(session, user)
    if own is None and role not in UNSCOPED_ROLES:
        raise DomainError(
            "Seu usuário não está vinculado a um colaborador: peça ao administrador "
            "o vínculo antes de cadastrar clientes.",
            field="owner_id",
        )
    if role == Role.AGENT or (owner_id is None and own is not None):
        assert own is not None
        return own
    if owner_id is None:
        raise DomainError("Escolha o corretor responsável.", field="owner_id")
    owner = session.scalar(assignable_owners(session, user).where(Collaborator.id == owner_id))
    if owner is None:
        raise DomainError("Corretor responsável inválido.", field="owner_id")
    return owner


# ----------------------------------------------------------------- clients


def create_client(
    session: Session,
    actor: Actor,
    user: User,
    data: ClientInput,
    owner_id: int | None = None,
    today: date | None = None,
) -> Client:
    """Register a client. A CPF already registered raises DuplicateClient: never two
    records for one person."""
    errors = ErrorCollector()
    cpf = errors.check(clean.cpf, data.cpf)
    values = _clean(data, today or date.today(), errors)
    assert cpf is not None
    existing = find_by_cpf(session, cpf)
    if existing is not None:
        visible = session.scalar(clients_for(session, user).where(Client.id == existing.id)) is not None
        raise DuplicateClient(existing.id, visible)
    owner = resolve_owner(session, user, owner_id)
    client = Client(
        owner_id=owner.id,
        cpf=cpf,
        cpf_index=get_keyring().blind_index(cpf, "cpf"),
        status=ClientStatus.ACTIVE.value,
    )
    _apply(client, values)
    session.add(client)
    session.flush()
    record_change(
        session,
        actor,
        client,
        "client.created",
        f"Cliente cadastrado ({client.provenance_label}).",
        "client.created",
        {"owner_id": owner.id, "provenance": client.provenance},
    )
    return client


def _ensure_active(client: Client) -> None:
    if client.is_anonymised:
        raise DomainError("Cliente anonimizado: os dados não podem mais ser alterados.")


def update_client(
    session: Session,
    actor: Actor,
    user: User,
    client: Client,
    data: ClientInput,
    owner_id: int | None = None,
    today: date | None = None,
) -> list[str]:
    """Edit the client's data (the CPF never changes); returns the changed field names."""
    _ensure_active(client)
    values = _clean(data, today or date.today())
    if owner_id is not None and owner_id != client.owner_id and Role(user.role) != Role.AGENT:
        values["owner_id"] = resolve_owner(session, user, owner_id).id
    changed = _apply(client, values)
    if not changed:
        return []
    session.flush()
    labels = ", ".join(FIELD_LABELS[name] for name in changed)
    record_change(
        session,
        actor,
        client,
        "client.updated",
        f"Dados alterados: {labels}.",
        "client.updated",
        {"fields": changed},
    )
    return changed


# ------------------------------------------------------------ benefit links


@dataclass
class LinkInput:
    agreement: str = ""
    benefit_number: str = ""
    benefit_kind: str = ""
    monthly_income: str = ""
    payout_bank: str = ""
    payout_agency: str = ""
    payout_account: str = ""


LINK_FIELDS = [f.name for f in fields(LinkInput)]


def add_link(session: Session, actor: Actor, client: Client, data: LinkInput) -> BenefitLink:
    """Add a benefit/registration/employment link (several per client)."""
    _ensure_active(client)
    agreement = clean.agreement(data.agreement)
    number = clean.benefit_number(data.benefit_number)
    kind = clean.text(data.benefit_kind, "benefit_kind", "Espécie/tipo", 60)
    income = clean.income(data.monthly_income)
    bank, agency, account = clean.bank_account(data.payout_bank, data.payout_agency, data.payout_account)
    index = get_keyring().blind_index(number, "benefit")
    duplicate = session.scalar(
        select(BenefitLink.id).where(BenefitLink.client_id == client.id, BenefitLink.benefit_index == index)
    )
    if duplicate is not None:
        raise DomainError("Este benefício/matrícula já está vinculado ao cliente.", field="benefit_number")
    link = BenefitLink(
        client_id=client.id,
        agreement=agreement,
        benefit_number=number,
        benefit_index=index,
        benefit_kind=kind,
        monthly_income=income,
        payout_bank=bank,
        payout_agency=agency,
        payout_account=account,
    )
    session.add(link)
    session.flush()
    record_change(
        session,
        actor,
        client,
        "link.added",
        f"Vínculo {agreement} adicionado.",
        "client.link_added",
        {"link_id": link.id},
    )
    return link


def get_link(session: Session, client: Client, link_id: int) -> BenefitLink:
    return client_row(session, BenefitLink, client, link_id, "Vínculo não encontrado.")


def remove_link(session: Session, actor: Actor, client: Client, link_id: int) -> None:
    _ensure_active(client)
    link = get_link(session, client, link_id)
    agreement = link.agreement
    session.delete(link)
    session.flush()
    record_change(
        session,
        actor,
        client,
        "link.removed",
        f"Vínculo {agreement} removido.",
        "client.link_removed",
        {"link_id": link_id},
    )
