"""Reads of the client registry, always scoped to the user.

`clients_for` is the one entry point: lists, the 360 page, partials, reveal, exports and
the LGPD report all start from it, so a record outside the user's scope is invisible
everywhere (a direct id gives 404, never 403, to avoid confirming that it exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session, joinedload

from portal.clients.models import BenefitLink, Client, ClientEvent, ClientStatus, Consent
from portal.clients.validation import name_key
from portal.core.crypto import get_keyring
from portal.core.documents import is_valid_cpf, is_valid_phone, normalize_cpf, normalize_phone
from portal.core.errors import NotFound
from portal.core.pagination import Page, keyset_page
from portal.people.models import User
from portal.people.scope import visible_collaborator_ids

PER_PAGE = 50
SEARCH_MAX = 100


def clients_for(session: Session, user: User, on: date | None = None) -> Select:
    """SELECT of the clients `user` may see (agent: own; supervisor: team; store manager:
    store; back office: all)."""
    stmt = select(Client)
    visible = visible_collaborator_ids(session, user, on)
    if visible is not None:
        # Resolved to literal ids first: with `owner_id IN (1 id)` PostgreSQL walks the
        # (owner_id, name_search, id) index; with the subquery it scanned every client.
        owner_ids = list(session.scalars(visible))
        stmt = stmt.where(Client.owner_id.in_(owner_ids))
    return stmt


def get_client_for(session: Session, user: User, client_id: int) -> Client:
    """The client with this id if `user` may see it; NotFound (→ 404) otherwise."""
    client = session.scalar(
        clients_for(session, user).where(Client.id == client_id).options(joinedload(Client.owner))
    )
    if client is None:
        raise NotFound("Cliente não encontrado.")
    return client


def search_kind(query: str) -> str:
    """What a search box value means: "document" (CPF, phone or benefit number, exact),
    "name" (prefix) or "" (nothing to search)."""
    query = (query or "").strip()
    if not query:
        return ""
    # Names carry no digits; documents always do.
    return "document" if any(c.isdigit() for c in query) else "name"


def _document_filter(query: str):
    """Exact match by blind index on CPF, phones or benefit/registration number.

    Spelled as `id IN (UNION of index lookups)` so each branch uses its own index (an OR
    across columns and a subquery would make PostgreSQL scan the whole table)."""
    ring = get_keyring()
    digits = normalize_cpf(query)
    compact = re.sub(r"[\s.\-/]", "", query).upper()
    branches = []
    if is_valid_cpf(digits):
        branches.append(select(Client.id).where(Client.cpf_index == ring.blind_index(digits, "cpf")))
    if is_valid_phone(query):
        phone_hash = ring.blind_index(normalize_phone(query), "phone")
        branches.append(select(Client.id).where(Client.phone_index == phone_hash))
        branches.append(select(Client.id).where(Client.phone_alt_index == phone_hash))
    if compact:
        benefit_hash = ring.blind_index(compact, "benefit")
        branches.append(select(BenefitLink.client_id).where(BenefitLink.benefit_index == benefit_hash))
    if not branches:
        return Client.id.is_(None)
    return Client.id.in_(union(*branches)) if len(branches) > 1 else Client.id.in_(branches[0])


def _name_filter(query: str):
    """Prefix search on the normalised name as a range, so the (name_search, id) index
    serves both the filter and the order on SQLite and PostgreSQL."""
    key = name_key(query)
    if not key:
        return [Client.id.is_(None)]
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions = [Client.name_search >= key, Client.name_search.like(escaped + "%", escape="\\")]
    last = key[-1]
    if "a" <= last < "z" or "0" <= last < "9":
        conditions.append(Client.name_search < key[:-1] + chr(ord(last) + 1))
    return conditions


@dataclass(frozen=True)
class ClientFilters:
    """What the list page and its export filter by."""

    q: str = ""
    owner_id: int | None = None
    status: str = ClientStatus.ACTIVE.value


def filtered_clients(session: Session, user: User, filters: ClientFilters) -> Select:
    """The scoped, filtered list as one statement (shared by the page and the export)."""
    stmt = clients_for(session, user).options(joinedload(Client.owner))
    query = filters.q.strip()[:SEARCH_MAX]
    kind = search_kind(query)
    if kind == "document":
        stmt = stmt.where(_document_filter(query))
    elif kind == "name":
        stmt = stmt.where(*_name_filter(query))
    if filters.owner_id:
        stmt = stmt.where(Client.owner_id == filters.owner_id)
    if filters.status in (ClientStatus.ACTIVE, ClientStatus.ANONYMISED):
        stmt = stmt.where(Client.status == filters.status)
    return stmt


def clients_page(
    session: Session, user: User, filters: ClientFilters, cursor: str | None, per_page: int = PER_PAGE
) -> Page[Client]:
    return keyset_page(
        session, filtered_clients(session, user, filters), [Client.name_search, Client.id], cursor, per_page
    )


def find_by_cpf(session: Session, cpf: str) -> Client | None:
    """Unscoped lookup by CPF (duplicate detection and the LGPD console only)."""
    digits = normalize_cpf(cpf)
    return session.scalar(select(Client).where(Client.cpf_index == get_keyring().blind_index(digits, "cpf")))


def links_of(session: Session, client: Client) -> list[BenefitLink]:
    return list(
        session.scalars(
            select(BenefitLink).where(BenefitLink.client_id == client.id).order_by(BenefitLink.id)
        )
    )


def consents_of(session: Session, client: Client) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent).where(Consent.client_id == client.id).order_by(Consent.granted_at.desc())
        )
    )


def timeline_of(session: Session, client: Client, limit: int = 100) -> list[ClientEvent]:
    return list(
        session.scalars(
            select(ClientEvent)
            .where(ClientEvent.client_id == client.id)
            .order_by(ClientEvent.occurred_at.desc(), ClientEvent.id.desc())
            .limit(limit)
        )
    )
