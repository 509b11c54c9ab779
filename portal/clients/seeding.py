"""Client rows written directly, for demo data and test factories: a client with its
blind indexes and, for a client ready to sell to, an INSS benefit link and a valid IN100
authorisation (what bank lookups, simulations and submissions need).

No validation, timeline or audit entry: the values are known to be valid and the callers
own the rows they write. People's input goes through `portal.clients.services`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.clients.models import (
    BenefitLink,
    Client,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    LegalBasis,
)
from portal.clients.validation import name_key
from portal.core.crypto import get_keyring
from portal.core.db import utcnow

PAULISTA_ADDRESS: dict[str, object] = {
    "cep": "01310100",
    "street": "Av. Paulista",
    "number": "1000",
    "district": "Bela Vista",
    "city": "São Paulo",
    "state": "SP",
}
INSS_LINK: dict[str, object] = {
    "agreement": "INSS",
    "benefit_number": "1234567890",
    "benefit_kind": "41",
    "monthly_income": Decimal("3000.00"),
    "payout_bank": "001",
    "payout_agency": "1234",
    "payout_account": "567890-1",
}


def insert_client(
    session: Session,
    owner_id: int,
    cpf: str,
    name: str,
    *,
    phone: str | None = None,
    provenance: str = "agent",
    **fields: object,
) -> Client:
    """A client row (normalised `cpf` and `phone`) with its search key and blind indexes."""
    ring = get_keyring()
    client = Client(
        owner_id=owner_id,
        cpf=cpf,
        cpf_index=ring.blind_index(cpf, "cpf"),
        name=name,
        name_search=name_key(name),
        phone=phone,
        phone_index=ring.blind_index(phone, "phone") if phone else None,
        provenance=provenance,
        **fields,
    )
    session.add(client)
    session.flush()
    return client


def insert_inss_link(session: Session, client: Client, **fields: object) -> BenefitLink:
    """An INSS benefit link with payout account and income (`fields` replace the defaults)."""
    values = {**INSS_LINK, **fields}
    link = BenefitLink(
        client_id=client.id,
        benefit_index=get_keyring().blind_index(str(values["benefit_number"]), "benefit"),
        **values,
    )
    session.add(link)
    return link


def insert_benefit_query_consent(session: Session, client: Client) -> Consent:
    """A digitally signed IN100 authorisation, granted yesterday and valid now."""
    consent = Consent(
        client_id=client.id,
        purpose=ConsentPurpose.BENEFIT_QUERY.value,
        legal_basis=LegalBasis.CONSENT.value,
        channel=ConsentChannel.DIGITAL_SIGNATURE.value,
        granted_at=utcnow() - timedelta(days=1),
    )
    session.add(consent)
    return consent


def insert_selling_client(
    session: Session,
    owner_id: int,
    cpf: str,
    name: str,
    *,
    birth_date: date,
    consent: bool = True,
    link: dict[str, object] | None = None,
    **fields: object,
) -> Client:
    """A client ready for bank lookups and submissions: birth date, address on Av. Paulista,
    an INSS link (`link` replaces its defaults) and, unless `consent` is false, a valid IN100
    authorisation."""
    values = {**PAULISTA_ADDRESS, **fields}
    client = insert_client(session, owner_id, cpf, name, birth_date=birth_date, **values)  # type: ignore[arg-type]
    insert_inss_link(session, client, **(link or {}))
    if consent:
        insert_benefit_query_consent(session, client)
    session.flush()
    return client
