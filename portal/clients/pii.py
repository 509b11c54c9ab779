"""Masked display of personal data, and the audited "reveal" of one full value.

Screens and exports show `mask(field, value)`; the full value only leaves the server
through `reveal` (one field of one client, audited as "who saw which data") or through
a full export (`record_full_export`: a permission, a reason typed by the user, audited).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.clients.models import Client
from portal.clients.services import get_link
from portal.core import audit, documents
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound

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
    if field == "email":
        return mask_email(value)
    return documents.mask_tail(value)


def mask_email(value: str) -> str:
    """`maria.souza@exemplo.com.br` → `m***@exemplo.com.br` (the domain is not personal)."""
    local, at, domain = value.partition("@")
    if not at:
        return documents.mask_tail(value)
    return f"{local[:1]}***@{domain}"


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


REASON_MIN = 15
REASON_MAX = 300


def record_full_export(session: Session, actor: Actor, reason: str, details: dict[str, object]) -> None:
    """Check the reason the user typed for a full-data export and audit it (with the
    export's format and filters in `details`); DomainError when the reason is missing."""
    clean = " ".join((reason or "").split())
    if len(clean) < REASON_MIN:
        raise DomainError(
            f"Informe o motivo da exportação com dados completos (pelo menos {REASON_MIN} caracteres).",
            field="reason",
        )
    details = {**details, "revealed": True, "reason": clean[:REASON_MAX]}
    audit.record(session, actor, "client.exported", "clients", details)
