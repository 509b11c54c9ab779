"""Pendencies: what blocks a proposal, who must act (agent or operations) and by when.

The catalogue of types starts from the list in docs/domain.md and is editable by operations.
Opening and resolving a pendency writes a proposal event (timeline) and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from portal.clients.models import Client
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import Conflict, DomainError, Forbidden, NotFound
from portal.core.text import fold
from portal.people.models import User
from portal.people.permissions import Permission
from portal.people.scope import visible_collaborator_ids
from portal.proposals import catalogue  # noqa: F401  (stamps every change for the proposal page's copy)
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import Pendency, PendencyOwner, PendencyType
from portal.proposals.trail import proposal_row, record_user_action

DEFAULT_TYPES = [
    "Biometria pendente",
    "Comparecer ao INSS",
    "Benefício bloqueado",
    "Dados divergentes da Receita",
    "Margem excedida",
    "Conta de pagamento incorreta",
    "CPF inválido",
    "Termo de autorização não assinado",
    "Cliente não localizado",
    "Desistência do cliente",
    "Documentos físicos aguardados",
]

NAME_MAX = 80
TEXT_MAX = 500


# ----------------------------------------------------------------- catalogue


def types(session: Session, only_active: bool = False) -> list[PendencyType]:
    stmt = select(PendencyType).order_by(PendencyType.name)
    if only_active:
        stmt = stmt.where(PendencyType.active.is_(True))
    return list(session.scalars(stmt))


def ensure_default_types(session: Session) -> int:
    """Create the catalogue's default entries that are missing; returns how many."""
    existing = set(session.scalars(select(PendencyType.name_key)))
    missing = [name for name in DEFAULT_TYPES if fold(name) not in existing]
    session.add_all(PendencyType(name=name, name_key=fold(name), active=True) for name in missing)
    session.flush()
    return len(missing)


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not fold(cleaned):
        raise DomainError("Informe o nome do tipo de pendência.", field="name")
    if len(cleaned) > NAME_MAX:
        raise DomainError(f"Máximo de {NAME_MAX} caracteres.", field="name")
    return cleaned


def save_type(
    session: Session, actor: Actor, name: str, type_id: int | None = None, active: bool = True
) -> PendencyType:
    """Create a type, or rename / (de)activate an existing one. Names are unique."""
    cleaned = _clean_name(name)
    key = fold(cleaned)
    same = session.scalar(select(PendencyType).where(PendencyType.name_key == key))
    if same is not None and same.id != type_id:
        raise Conflict("Já existe um tipo de pendência com esse nome.")
    if type_id is None:
        item = PendencyType(name=cleaned, name_key=key, active=active)
        session.add(item)
    else:
        item = session.get(PendencyType, type_id)  # type: ignore[assignment]
        if item is None:
            raise NotFound("Tipo de pendência não encontrado.")
        item.name, item.name_key, item.active = cleaned, key, active
    session.flush()
    audit.record(session, actor, "pendency_type.saved", f"pendency_type:{item.id}", {"active": active})
    return item


# ----------------------------------------------------------------- pendencies


@dataclass
class NewPendency:
    type_id: int
    owner_kind: str
    description: str = ""
    due_on: date | None = None


def open_pendency(session: Session, actor: Actor, proposal: Proposal, data: NewPendency) -> Pendency:
    """Open a pendency on `proposal` (event on the timeline, audit entry)."""
    kind = session.get(PendencyType, data.type_id)
    if kind is None or not kind.active:
        raise DomainError("Escolha um tipo de pendência válido.", field="type_id")
    try:
        owner = PendencyOwner(data.owner_kind)
    except ValueError:
        raise DomainError("Escolha quem deve resolver a pendência.", field="owner_kind") from None
    if data.due_on is not None and data.due_on < utcnow().date():
        raise DomainError("O prazo não pode estar no passado.", field="due_on")
    pendency = Pendency(
        proposal_id=proposal.id,
        type_id=kind.id,
        description=(data.description or "").strip()[:TEXT_MAX] or None,
        owner_kind=owner.value,
        due_on=data.due_on,
        opened_by_id=actor.id,
        opened_at=utcnow(),
    )
    session.add(pendency)
    session.flush()
    record_user_action(
        session,
        actor,
        proposal,
        f"Pendência aberta: {kind.name} ({owner.label})",
        "pendency.opened",
        {"pendency": pendency.id},
        {"pendency_id": pendency.id},
    )
    session.flush()
    return pendency


def get_pendency(session: Session, proposal: Proposal, pendency_id: int) -> Pendency:
    return proposal_row(session, Pendency, proposal, pendency_id, "Pendência não encontrada.")


class PendencyState(Protocol):
    """What `can_resolve` reads of a pendency (a `Pendency` or a page's row)."""

    @property
    def is_open(self) -> bool: ...

    @property
    def owner_kind(self) -> str: ...


def can_resolve(user: User, pendency: PendencyState) -> bool:
    """Whether `user` may resolve `pendency` (the page offers the form only then): operations
    (who manage the pipeline) resolve any open pendency, agents only the ones owned by agents."""
    if not pendency.is_open:
        return False
    return user.can(Permission.PIPELINE_MANAGE) or pendency.owner_kind == PendencyOwner.AGENT


def resolve_pendency(
    session: Session,
    actor: Actor,
    user: User,
    proposal: Proposal,
    pendency: Pendency,
    note: str = "",
) -> Pendency:
    """Mark a pendency resolved by `user` (`actor` is the same person as audit records it);
    refused unless `can_resolve` allows it."""
    if pendency.proposal_id != proposal.id:
        raise NotFound("Pendência não encontrada.")
    if not pendency.is_open:
        raise Conflict("Esta pendência já foi resolvida.")
    if not can_resolve(user, pendency):
        raise Forbidden("Esta pendência é de responsabilidade das operações.")
    pendency.resolved_at = utcnow()
    pendency.resolved_by_id = actor.id
    pendency.resolution_note = (note or "").strip()[:TEXT_MAX] or None
    record_user_action(
        session,
        actor,
        proposal,
        f"Pendência resolvida: {pendency.type.name}",
        "pendency.resolved",
        {"pendency": pendency.id},
        {"pendency_id": pendency.id},
    )
    session.flush()
    return pendency


def assign_owner(session: Session, actor: Actor, proposal: Proposal, owner_kind: str) -> int:
    """Give every open pendency of `proposal` to `owner_kind`; returns how many changed."""
    try:
        owner = PendencyOwner(owner_kind)
    except ValueError:
        raise DomainError("Escolha quem deve resolver a pendência.", field="owner_kind") from None
    changed = 0
    for pendency in session.scalars(
        select(Pendency).where(
            Pendency.proposal_id == proposal.id,
            Pendency.resolved_at.is_(None),
            Pendency.owner_kind != owner.value,
        )
    ):
        pendency.owner_kind = owner.value
        changed += 1
    if changed:
        record_user_action(
            session,
            actor,
            proposal,
            f"{changed} pendência(s) atribuída(s) a {owner.label}",
            "pendency.assigned",
            {"owner": owner.value},
        )
    session.flush()
    return changed


# ----------------------------------------------------------------- reads


def pendencies_of(session: Session, proposal: Proposal) -> list[Pendency]:
    """Open first (by due date), then resolved; types and people loaded in the same query."""
    return list(
        session.scalars(
            select(Pendency)
            .where(Pendency.proposal_id == proposal.id)
            .options(
                joinedload(Pendency.type), joinedload(Pendency.opened_by), joinedload(Pendency.resolved_by)
            )
            .order_by(Pendency.resolved_at.is_not(None), Pendency.due_on, Pendency.id)
        )
    )


def _open_agent_filter(session: Session, user: User, stmt: Select) -> Select:
    stmt = stmt.join(Proposal, Proposal.id == Pendency.proposal_id).where(
        Pendency.resolved_at.is_(None), Pendency.owner_kind == PendencyOwner.AGENT.value
    )
    visible = visible_collaborator_ids(session, user)
    return stmt if visible is None else stmt.where(Proposal.agent_id.in_(visible))


def open_agent_pendencies(session: Session, user: User, limit: int | None = 20) -> Select:
    """Open pendencies the agent side must act on, within the user's scope, the most
    urgent first (home page: the first `limit`; the full list: limit=None)."""
    stmt = (
        _open_agent_filter(session, user, select(Pendency))
        .options(
            joinedload(Pendency.type),
            joinedload(Pendency.proposal).joinedload(Proposal.client).load_only(Client.id, Client.name),
        )
        .order_by(Pendency.due_on.is_(None), Pendency.due_on, Pendency.id)
    )
    return stmt if limit is None else stmt.limit(limit)


def count_open_agent_pendencies(session: Session, user: User) -> int:
    return session.scalar(_open_agent_filter(session, user, select(func.count(Pendency.id)))) or 0
