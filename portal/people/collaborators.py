"""Collaborator writes: create, edit, move between units (effective-dated), deactivate.

CPF and phone are encrypted by their column type; uniqueness of the CPF goes through
the blind index. Audit details never carry personal data, only the names of the fields
that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.core import audit
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.errors import DomainError, NotFound
from portal.people import validation
from portal.people.constants import CollaboratorStatus
from portal.people.models import Collaborator, Membership, OrgUnit, RoleGroup, User
from portal.people.scope import active_on, can_see_collaborator

CPF_PURPOSE = "cpf"
SUPERVISOR_GROUPS = {RoleGroup.SUPERVISOR.value, RoleGroup.MANAGER.value}


def cpf_index(cpf: str) -> str:
    """Blind index of a normalised CPF (exact search and uniqueness)."""
    return get_keyring().blind_index(cpf, CPF_PURPOSE)


def find_by_cpf(session: Session, raw_cpf: str) -> Collaborator | None:
    return session.scalar(
        select(Collaborator).where(Collaborator.cpf_index == cpf_index(validation.cpf(raw_cpf)))
    )


def get_collaborator(session: Session, collaborator_id: int) -> Collaborator:
    collaborator = session.get(Collaborator, collaborator_id)
    if collaborator is None:
        raise NotFound("Colaborador não encontrado.")
    return collaborator


def get_visible_collaborator(session: Session, user: User, collaborator_id: int) -> Collaborator:
    """The collaborator if `user` may see them; NotFound otherwise (never reveal existence)."""
    if not can_see_collaborator(session, user, collaborator_id):
        raise NotFound("Colaborador não encontrado.")
    return get_collaborator(session, collaborator_id)


def collaborator_for_user(session: Session, user: User) -> Collaborator | None:
    return session.scalar(select(Collaborator).where(Collaborator.user_id == user.id))


@dataclass
class CollaboratorInput:
    """What create and edit take. On edit a blank CPF or phone keeps the stored value."""

    name: str
    role_group: str
    cpf: str | None = None
    email: str | None = None
    phone: str | None = None
    supervisor_id: int | None = None
    hired_on: date | None = None
    user_email: str | None = None


def _clean(session: Session, current: Collaborator | None, data: CollaboratorInput) -> dict:
    values: dict = {"name": validation.text(data.name, "name", "o nome", 120)}
    if current is None or (data.cpf or "").strip():
        values["cpf"] = validation.cpf(data.cpf)
        values["cpf_index"] = cpf_index(values["cpf"])
        taken = select(func.count()).where(Collaborator.cpf_index == values["cpf_index"])
        if current is not None:
            taken = taken.where(Collaborator.id != current.id)
        if session.scalar(taken):
            raise DomainError("Já existe um colaborador com este CPF.", field="cpf")
    values["email"] = validation.email(data.email)
    if current is None or (data.phone or "").strip():
        values["phone"] = validation.phone(data.phone)
    values["role_group"] = validation.choice(
        data.role_group, {g.value for g in RoleGroup}, "role_group", "Grupo inválido."
    )
    values["supervisor_id"] = None
    if data.supervisor_id:
        supervisor = session.get(Collaborator, data.supervisor_id)
        if supervisor is None or supervisor.role_group not in SUPERVISOR_GROUPS:
            raise DomainError("Escolha um supervisor ou gerente cadastrado.", field="supervisor_id")
        if current is not None and supervisor.id == current.id:
            raise DomainError("O colaborador não pode ser supervisor de si mesmo.", field="supervisor_id")
        values["supervisor_id"] = supervisor.id
    values["hired_on"] = data.hired_on
    values["user_id"] = None
    login = (data.user_email or "").strip().lower()
    if login:
        user = session.scalar(select(User).where(User.email == login[:254]))
        if user is None:
            raise DomainError("Nenhum usuário com este e-mail.", field="user_email")
        other = session.scalar(select(Collaborator.id).where(Collaborator.user_id == user.id))
        if other is not None and (current is None or other != current.id):
            raise DomainError("Este usuário já está vinculado a outro colaborador.", field="user_email")
        values["user_id"] = user.id
    return values


def create_collaborator(
    session: Session, actor: Actor, data: CollaboratorInput, unit_id: int | None = None
) -> Collaborator:
    """Register a collaborator; with `unit_id`, their first membership starts on the
    hire date (or today)."""
    values = _clean(session, None, data)
    unit = _active_unit(session, unit_id) if unit_id else None
    collaborator = Collaborator(status=CollaboratorStatus.ACTIVE.value, **values)
    session.add(collaborator)
    session.flush()
    if unit is not None:
        session.add(
            Membership(
                collaborator_id=collaborator.id,
                org_unit_id=unit.id,
                valid_from=data.hired_on or date.today(),
            )
        )
        session.flush()
    audit.record(
        session,
        actor,
        "collaborator.created",
        f"collaborator:{collaborator.id}",
        {"role_group": collaborator.role_group, "org_unit": unit.id if unit else None},
    )
    return collaborator


def update_collaborator(
    session: Session, actor: Actor, collaborator: Collaborator, data: CollaboratorInput
) -> Collaborator:
    """Edit the record. A blank CPF or phone keeps the stored (encrypted) value."""
    values = _clean(session, collaborator, data)
    changed = sorted(k for k, v in values.items() if k != "cpf_index" and getattr(collaborator, k) != v)
    for key, value in values.items():
        setattr(collaborator, key, value)
    session.flush()
    audit.record(
        session, actor, "collaborator.updated", f"collaborator:{collaborator.id}", {"fields": changed}
    )
    return collaborator


def _active_unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not unit.active:
        raise DomainError("Escolha uma unidade ativa.", field="unit_id")
    return unit


def current_membership(
    session: Session, collaborator: Collaborator, on: date | None = None
) -> Membership | None:
    return session.scalar(
        select(Membership)
        .where(Membership.collaborator_id == collaborator.id, active_on(on or date.today()))
        .order_by(Membership.valid_from.desc(), Membership.id.desc())
        .limit(1)
    )


def move_collaborator(
    session: Session, actor: Actor, collaborator: Collaborator, unit_id: int, on: date
) -> Membership:
    """Transfer to another unit from day `on`: the current membership ends on `on`
    (exclusive) and a new one starts, so earlier months keep their true team."""
    unit = _active_unit(session, unit_id)
    if collaborator.status != CollaboratorStatus.ACTIVE.value:
        raise DomainError("Colaborador inativo não pode ser transferido.")
    later = select(func.count()).where(
        Membership.collaborator_id == collaborator.id, Membership.valid_from > on
    )
    if session.scalar(later):
        raise DomainError("Já existe uma lotação que começa depois desta data.", field="moved_on")
    current = current_membership(session, collaborator, on)
    if current is not None and current.org_unit_id == unit.id:
        raise DomainError("O colaborador já está nesta unidade.", field="unit_id")
    if current is not None and current.valid_from == on:
        current.org_unit_id = unit.id  # same-day correction: no empty period
        membership = current
    else:
        if current is not None:
            current.valid_to = on
        membership = Membership(collaborator_id=collaborator.id, org_unit_id=unit.id, valid_from=on)
        session.add(membership)
    session.flush()
    audit.record(
        session,
        actor,
        "collaborator.moved",
        f"collaborator:{collaborator.id}",
        {
            "org_unit": unit.id,
            "from_unit": current.org_unit_id if current and current is not membership else None,
            "on": on.isoformat(),
        },
    )
    return membership


def deactivate_collaborator(session: Session, actor: Actor, collaborator: Collaborator, on: date) -> None:
    """Mark as left on `on`: status inactive and the open membership closed that day."""
    if collaborator.status != CollaboratorStatus.ACTIVE.value:
        raise DomainError("Este colaborador já está inativo.")
    if collaborator.hired_on is not None and on < collaborator.hired_on:
        raise DomainError("A data de saída não pode ser anterior à admissão.", field="left_on")
    collaborator.status = CollaboratorStatus.INACTIVE.value
    collaborator.left_on = on
    for membership in session.scalars(
        select(Membership).where(Membership.collaborator_id == collaborator.id, Membership.valid_to.is_(None))
    ):
        membership.valid_to = max(on, membership.valid_from)
    session.flush()
    audit.record(
        session, actor, "collaborator.deactivated", f"collaborator:{collaborator.id}", {"on": on.isoformat()}
    )


def membership_history(session: Session, collaborator: Collaborator) -> list[Membership]:
    """Every membership, newest first, with its unit loaded (one query)."""
    return list(
        session.scalars(
            select(Membership)
            .options(joinedload(Membership.org_unit))
            .where(Membership.collaborator_id == collaborator.id)
            .order_by(Membership.valid_from.desc(), Membership.id.desc())
        )
    )
