"""Proposals that do not come through a bank API, typed by hand (file-only banks such as
Bradesco) or read from a spreadsheet row by the import hub's "proposals" kind
(`portal.proposals.import_kind`).

Clients are matched by CPF blind index *within the user's scope*; the bank by code,
registered name or alias; the bank status goes through the mapping table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.queries import bank_names
from portal.clients.models import Client
from portal.clients.queries import clients_for
from portal.core import spreadsheets
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.documents import is_valid_cpf, normalize_cpf
from portal.core.errors import Conflict, DomainError
from portal.people.models import User
from portal.proposals.mapping import apply_bank_status
from portal.proposals.models import PRODUCT_LABELS, EventSource, Origin, Product, Proposal
from portal.proposals.services import NewProposal, create_proposal


@dataclass
class ManualProposal:
    """A proposal as typed in the form or read from one spreadsheet row."""

    cpf: str
    bank_code: str
    product: str
    agreement: str
    term_months: int
    gross_amount: Decimal
    net_amount: Decimal | None = None
    installment: Decimal | None = None
    monthly_rate: Decimal | None = None
    bank_proposal_number: str = ""
    bank_status: str = ""
    submitted_on: date | None = None


def find_client(session: Session, user: User, cpf: str) -> Client:
    """The client with this CPF among those the user may see."""
    digits = normalize_cpf(cpf)
    if not is_valid_cpf(digits):
        raise DomainError("CPF do cliente inválido.", field="cpf")
    client = session.scalar(
        clients_for(session, user).where(Client.cpf_index == get_keyring().blind_index(digits, "cpf"))
    )
    if client is None:
        raise DomainError("Cliente não encontrado na sua carteira: cadastre-o antes.", field="cpf")
    return client


def register_manual(
    session: Session,
    actor: Actor,
    user: User,
    data: ManualProposal,
    origin: Origin = Origin.MANUAL,
    source: EventSource = EventSource.USER,
) -> Proposal:
    """Register a proposal made outside the portal; its bank status goes through the mapping."""
    client = find_client(session, user, data.cpf)
    if data.bank_code not in bank_names(session):
        raise DomainError("Banco inválido.", field="bank_code")
    agreement = " ".join((data.agreement or "").split()).upper()[:40]
    if not agreement:
        raise DomainError("Informe o convênio.", field="agreement")
    number = (data.bank_proposal_number or "").strip()[:60]
    if number and session.scalar(
        select(Proposal.id).where(
            Proposal.bank_code == data.bank_code, Proposal.bank_proposal_number == number
        )
    ):
        raise Conflict(f"A proposta nº {number} deste banco já está cadastrada.")
    submitted_at = (
        datetime.combine(data.submitted_on, time(12), UTC) if data.submitted_on is not None else None
    )
    proposal = create_proposal(
        session,
        actor,
        NewProposal(
            client_id=client.id,
            agent_id=client.owner_id,
            bank_code=data.bank_code,
            product=data.product,
            agreement=agreement,
            term_months=data.term_months,
            gross_amount=data.gross_amount,
            net_amount=data.net_amount,
            installment=data.installment,
            monthly_rate=data.monthly_rate,
            bank_proposal_number=number or None,
            origin=origin.value,
            submitted_at=submitted_at,
        ),
        source=source.value,
    )
    if data.bank_status.strip():
        apply_bank_status(session, actor, proposal, data.bank_status, source=source.value)
    return proposal


# ------------------------------------------------------------------ spreadsheet cells

#: the spreadsheet template's columns (field → accepted headers), the hub kind's aliases
COLUMNS = {
    "cpf": ("CPF do cliente", "CPF"),
    "bank": ("Banco",),
    "product": ("Produto",),
    "agreement": ("Convênio", "Convenio"),
    "term": ("Prazo", "Prazo (meses)"),
    "gross": ("Valor bruto",),
    "net": ("Valor líquido", "Valor liquido"),
    "number": ("Nº da proposta", "Número da proposta", "Proposta"),
    "bank_status": ("Status do banco", "Status"),
}


def _key(text: str) -> str:
    return spreadsheets.normalize_header(text)


# Names banks' own spreadsheets use besides the registered name and code.
_BANK_ALIASES = {
    "c6 bank": "c6",
    "c6 consig": "c6",
    "banco master": "master",
    "bradesco promotora": "bradesco",
}


def _bank_code(text: str, banks: dict[str, str]) -> str | None:
    """The registered bank a spreadsheet cell names (by code, registered name or alias)."""
    key = _key(text)
    names = {_key(name): code for code, name in banks.items()} | {_key(code): code for code in banks}
    code = names.get(key) or _BANK_ALIASES.get(key)
    return code if code in banks else None


bank_code_of = _bank_code


def product_of(text: str) -> str | None:
    """The product a spreadsheet cell names (code, Portuguese label or short name)."""
    return _PRODUCT_NAMES.get(_key(text))


_PRODUCT_NAMES = {_key(label): p.value for p, label in PRODUCT_LABELS.items()} | {
    _key(p.value): p.value for p in Product
}
_PRODUCT_NAMES |= {
    "novo": "new",
    "refin": "refin",
    "port": "portability",
    "rmc": "card",
    "rcc": "benefit_card",
}
