"""The proposal page's read: one statement for the proposal and everything its page shows.

A UNION ALL of small typed rows that the code splits by their first column: the names
around the proposal (client, agent, store, team, bank) with the catalogue's token, its
events, pendencies and documents; the proposal (scoped) is joined to the names row only.
The catalogue its forms and SLA figures need (active pendency types, SLA limits in force
today) is this process's copy while the token read here is the same
(`portal.proposals.catalogue`), read again otherwise: an edit shows on the next page in
every worker.

Names are scalar subqueries inside one branch (evaluated once) rather than joins: each
joined table multiplied PostgreSQL's planning time, which was most of this page's SQL cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from portal.banks.models import Bank
from portal.clients.models import Client
from portal.core.crypto import EncryptedText
from portal.core.db import UTCDateTime
from portal.people.models import Collaborator, OrgUnit, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals import catalogue, sla
from portal.proposals.catalogue import TypeRow
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.pipeline_models import Pendency, PendencyOwner, PendencyType, ProposalDocument


@dataclass(frozen=True, slots=True)
class EventRow:
    """One fact of the timeline (the columns of `ProposalEvent` the page shows)."""

    id: int
    occurred_at: datetime
    actor_label: str
    source: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    bank_status: str | None
    details: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class PendencyRow:
    id: int
    type_name: str
    description: str | None
    owner_kind: str
    due_on: date | None
    opened_at: datetime
    resolved_at: datetime | None
    resolved_by_name: str | None
    resolution_note: str | None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def owner_label(self) -> str:
        return PendencyOwner(self.owner_kind).label


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_by_name: str | None  # None: sent by the system
    uploaded_at: datetime


@dataclass
class ProposalPage:
    """What the proposal page shows, read in one statement."""

    proposal: Proposal
    client_name: str = ""
    client_cpf: str | None = None
    agent_name: str = ""
    store_name: str | None = None
    team_name: str | None = None
    bank_name: str = ""  # the registered name; the code in capitals for a bank since removed
    bank_in_liquidation: bool = False
    events: list[EventRow] = field(default_factory=list)  # oldest first
    pendencies: list[PendencyRow] = field(default_factory=list)  # open by due date, then resolved
    documents: list[DocumentRow] = field(default_factory=list)
    pendency_types: list[TypeRow] = field(default_factory=list)  # active, by name
    limits: dict[str, int] = field(default_factory=dict)  # SLA hours in force today


# The branches' common columns: kind, id, two moments, a day, six texts, a number, JSON;
# the client's CPF (decrypted by its column type) only in the names row.
_COLUMNS = {
    "id": Integer(),
    "at1": UTCDateTime(),
    "at2": UTCDateTime(),
    "day": Date(),
    **{f"t{i}": String() for i in range(1, 7)},
    "num": Integer(),
    "data": JSON(),
}
_CPF = EncryptedText("clients.cpf")


def _branch(kind: str, *values: Any, cpf: Any = None, first: bool = False) -> list[Any]:
    """`kind` and `values` padded with NULLs to the union's columns. Only the first branch
    casts its NULLs: the database takes each column's type from it, and so does SQLAlchemy
    (the later branches' plain NULLs keep the statement short to parse)."""
    padded = list(values) + [None] * (len(_COLUMNS) - len(values))
    columns: list[Any] = [literal(kind, String(1)).label("kind")]
    for value, (name, type_) in zip(padded, _COLUMNS.items(), strict=True):
        empty = null().cast(type_) if first else null()
        columns.append((empty if value is None else value).label(name))
    empty = null().cast(_CPF) if first else null()
    columns.append((empty if cpf is None else cpf).label("cpf"))
    return columns


def _name(model: Any, key: Any) -> Any:
    return select(model.name).where(model.id == key).scalar_subquery()


@cache
def _children() -> Any:
    """The UNION ALL of the page's rows for the proposal bound as `proposal_id`, each
    branch filtered on its own index."""
    pid = bindparam("proposal_id", type_=Integer)
    p = aliased(Proposal)
    bank = Bank.code == p.bank_code
    e, d, pd = ProposalEvent, ProposalDocument, Pendency
    names = select(
        *_branch(
            "n", p.id, None, None, None,
            _name(Client, p.client_id), _name(Collaborator, p.agent_id), _name(OrgUnit, p.store_id),
            _name(OrgUnit, p.team_id), select(Bank.name).where(bank).scalar_subquery(),
            cast(catalogue.token_column(), String),
            cast(select(Bank.under_liquidation).where(bank).scalar_subquery(), Integer),
            cpf=select(Client.cpf).where(Client.id == p.client_id).scalar_subquery(),
        )
    ).where(p.id == pid)  # fmt: skip
    events = select(
        *_branch(
            "e", e.id, e.occurred_at, None, None,
            e.actor_label, e.source, e.from_status, e.to_status, e.reason, e.bank_status, None, e.details,
            first=True,
        )
    ).where(e.proposal_id == pid)  # fmt: skip
    pending = select(
        *_branch(
            "p", pd.id, pd.opened_at, pd.resolved_at, pd.due_on,
            _name(PendencyType, pd.type_id), pd.description, pd.owner_kind, pd.resolution_note,
            _name(User, pd.resolved_by_id),
        )
    ).where(pd.proposal_id == pid)  # fmt: skip
    docs = select(
        *_branch(
            "d", d.id, d.uploaded_at, None, None,
            d.original_name, d.content_type, _name(User, d.uploaded_by_id), None, None, None, d.size,
        )
    ).where(d.proposal_id == pid)  # fmt: skip
    return union_all(events, names, pending, docs).subquery("page_rows")


def _statement(visible: Select | None) -> Select:
    """The page's rows; the proposal (its columns sent once) is joined to the names row
    only, and only when the user may see it (`visible`: the scoping rule's collaborators)."""
    rows = _children()
    shown = (rows.c.kind == "n") & (Proposal.id == rows.c.id)
    if visible is not None:
        shown &= Proposal.agent_id.in_(visible)
    return select(Proposal, *rows.c).select_from(rows).outerjoin(Proposal, shown)


@cache
def _unscoped() -> Select:
    """Built once for users who see every proposal: each page binds the id."""
    return _statement(None)


def proposal_page(session: Session, user: Any, proposal_id: int) -> ProposalPage | None:
    """The proposal page of `proposal_id` if `user` may see it (the scoping rule of
    `queries.proposals_for`), None when not found or not visible: one statement."""
    visible = visible_collaborator_ids(session, user)
    stmt = _unscoped() if visible is None else _statement(visible)
    today = sla.local_today()
    rows = session.execute(stmt, {"proposal_id": proposal_id}).all()
    found = next((row[0] for row in rows if row[0] is not None), None)
    if found is None:
        return None
    page = ProposalPage(found)
    token = None
    for _, kind, id_, at1, at2, day, t1, t2, t3, t4, t5, t6, num, data, cpf in rows:
        if kind == "e":
            page.events.append(EventRow(id_, at1, t1, t2, t3, t4, t5, t6, data))
        elif kind == "p":
            page.pendencies.append(PendencyRow(id_, t1, t2, t3, day, at1, at2, t5, t4))
        elif kind == "d":
            page.documents.append(DocumentRow(id_, t1, t2, num, t3, at1))
        else:  # the names around the proposal
            page.client_name, page.agent_name, page.store_name, page.team_name = t1, t2, t3, t4
            page.client_cpf, page.bank_in_liquidation = cpf, bool(num)
            page.bank_name = t5 or found.bank_code.upper()
            token = int(t6) if t6 is not None else None
    kept = catalogue.catalogue(session, token, today)
    page.pendency_types, page.limits = kept.types, sla.limits_from(kept.limit_rows)
    # Sorted here, not by the database: one step less to plan (a few rows each). Pendencies:
    # open first, by due date (none last), then resolved; the id keeps ties stable.
    page.events.sort(key=lambda e: e.id)
    page.documents.sort(key=lambda d: d.id)
    page.pendencies.sort(
        key=lambda p: (p.resolved_at is not None, p.due_on is None, p.due_on or date.min, p.id)
    )
    return page
