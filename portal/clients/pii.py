"""Masked display of personal data, and the audited "reveal" of one full value.

Screens and exports show `mask(field, value)`; the full value only leaves the server
through `reveal` (one field of one client, audited as "who saw which data") or through
an export made by a user allowed to reveal (audited by the caller).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.clients.models import Client
from portal.clients.services import get_link
from portal.core import audit, documents
from portal.core.audit import Actor
from portal.core.errors import NotFound

CLIENT_FIELDS = ("cpf", "phone", "phone_alt")
LINK_FIELDS = ("benefit_number", "payout_account")
FIELD_LABELS = {
    "cpf": "CPF",
    "phone": "telefone",
    "phone_alt": "telefone alternativo",
    "benefit_number": "número do benefício/matrícula",
    "payout_account": "conta de pagamento",
}


def mask(field: str, value: str | None) -> str:
    """The display form that hides most of the value (`***.456.789-**`)."""
    if not value:
        return ""
    if field == "cpf":
        return documents.mask_cpf(value)
    if field in ("phone", "phone_alt"):
        return documents.mask_phone(value)
    return documents.mask_tail(value)


def full(field: str, value: str | None) -> str:
    """The formatted full value (`123.456.789-09`, `(11) 91234-5678`)."""
    if not value:
        return ""
    if field == "cpf":
        return documents.format_cpf(value)
    if field in ("phone", "phone_alt"):
        return documents.format_phone(value)
    return value


def reveal(session: Session, actor: Actor, client: Client, field: str, link_id: int | None = None) -> str:
    """Return one full value and record who saw which field of which client (never the value)."""
    if field in CLIENT_FIELDS:
        value = getattr(client, field)
        details: dict[str, object] = {"field": field}
    elif field in LINK_FIELDS and link_id is not None:
        value = getattr(get_link(session, client, link_id), field)
        details = {"field": field, "link_id": link_id}
    else:
        raise NotFound("Campo não encontrado.")
    if not value:
        raise NotFound("Campo sem valor.")
    audit.record(session, actor, "client.pii_revealed", f"client:{client.id}", details)
    return full(field, value)
