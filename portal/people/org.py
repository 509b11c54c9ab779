"""Org hierarchy: company (CNPJ) → regional → store → team, plus sub-correspondents.

Writes validate, change, audit and flush (the caller commits); `org_tree` reads the
whole hierarchy in one query and builds it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core import audit, documents
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound
from portal.people import validation
from portal.people.models import Membership, OrgKind, OrgUnit
from portal.people.scope import active_on

# Which kinds each kind may hang under (None = top level). Ranks strictly increase
# downwards, so no cycle can ever be built.
ALLOWED_PARENTS: dict[OrgKind, set[OrgKind | None]] = {
    OrgKind.COMPANY: {None},
    OrgKind.REGIONAL: {OrgKind.COMPANY},
    OrgKind.SUB_CORRESPONDENT: {OrgKind.COMPANY},
    OrgKind.STORE: {OrgKind.COMPANY, OrgKind.REGIONAL, OrgKind.SUB_CORRESPONDENT},
    OrgKind.TEAM: {OrgKind.STORE, OrgKind.SUB_CORRESPONDENT},
}
NEEDS_CNPJ = {OrgKind.COMPANY, OrgKind.SUB_CORRESPONDENT}


def get_unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("Unidade não encontrada.")
    return unit


def _clean(
    session: Session,
    unit: OrgUnit | None,
    *,
    kind: str,
    name: str,
    parent_id: int | None,
    cnpj: str | None,
    cep: str | None,
    city: str | None,
    state: str | None,
) -> dict:
    try:
        kind_enum = OrgKind(kind)
    except ValueError:
        raise DomainError("Tipo de unidade inválido.", field="kind") from None
    values: dict = {"kind": kind_enum.value, "name": validation.text(name, "name", "o nome", 120)}
    parent = session.get(OrgUnit, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise DomainError("Unidade superior não encontrada.", field="parent_id")
    parent_kind = OrgKind(parent.kind) if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind_enum]:
        allowed = ", ".join(k.label for k in ALLOWED_PARENTS[kind_enum] if k) or "nenhuma (nível mais alto)"
        raise DomainError(f"{kind_enum.label} deve ficar abaixo de: {allowed}.", field="parent_id")
    values["parent_id"] = parent.id if parent else None
    if kind_enum in NEEDS_CNPJ or (cnpj or "").strip():
        values["cnpj"] = validation.cnpj(cnpj)
        taken = select(func.count()).select_from(OrgUnit).where(OrgUnit.cnpj == values["cnpj"])
        if unit is not None:
            taken = taken.where(OrgUnit.id != unit.id)
        if session.scalar(taken):
            raise DomainError("Já existe uma unidade com este CNPJ.", field="cnpj")
    else:
        values["cnpj"] = None
    values["cep"] = validation.cep(cep)
    values["city"] = validation.text(city, "city", "a cidade", 80, required=False)
    uf = (state or "").strip().upper() or None
    if uf is not None and uf not in documents.BRAZILIAN_STATES:
        raise DomainError("UF inválida.", field="state")
    values["state"] = uf
    return values


def create_unit(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    name: str,
    parent_id: int | None = None,
    cnpj: str | None = None,
    cep: str | None = None,
    city: str | None = None,
    state: str | None = None,
) -> OrgUnit:
    values = _clean(
        session, None, kind=kind, name=name, parent_id=parent_id, cnpj=cnpj, cep=cep, city=city, state=state
    )
    unit = OrgUnit(active=True, **values)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "org_unit.created", f"org_unit:{unit.id}", {"kind": unit.kind})
    return unit


def update_unit(
    session: Session,
    actor: Actor,
    unit: OrgUnit,
    *,
    name: str,
    parent_id: int | None,
    cnpj: str | None = None,
    cep: str | None = None,
    city: str | None = None,
    state: str | None = None,
    active: bool = True,
) -> OrgUnit:
    """Edit a unit (its kind is fixed). Deactivating needs the unit to be empty today."""
    values = _clean(
        session,
        unit,
        kind=unit.kind,
        name=name,
        parent_id=parent_id,
        cnpj=cnpj,
        cep=cep,
        city=city,
        state=state,
    )
    if unit.active and not active:
        members = select(func.count()).where(Membership.org_unit_id == unit.id, active_on(date.today()))
        children = select(func.count()).where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))
        if session.scalar(members) or session.scalar(children):
            raise DomainError(
                "A unidade ainda tem colaboradores ou unidades ativas; transfira-os antes de desativar.",
                field="active",
            )
    changed = sorted(k for k, v in values.items() if getattr(unit, k) != v)
    for key, value in values.items():
        setattr(unit, key, value)
    if unit.active != active:
        changed.append("active")
        unit.active = active
    session.flush()
    audit.record(session, actor, "org_unit.updated", f"org_unit:{unit.id}", {"fields": changed})
    return unit


@dataclass
class TreeNode:
    unit: OrgUnit
    members: int = 0
    children: list[TreeNode] = field(default_factory=list)


def org_tree(session: Session, on: date | None = None) -> list[TreeNode]:
    """Every unit as a forest (roots first, children by kind rank then name), with the
    number of collaborators each unit holds on `on`. Two queries whatever the size."""
    on = on or date.today()
    units = session.scalars(select(OrgUnit).order_by(OrgUnit.name, OrgUnit.id)).all()
    counts = dict(  # type: ignore[var-annotated]
        session.execute(  # type: ignore[arg-type]
            select(Membership.org_unit_id, func.count()).where(active_on(on)).group_by(Membership.org_unit_id)
        ).all()
    )
    nodes = {u.id: TreeNode(u, counts.get(u.id, 0)) for u in units}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    rank = {OrgKind.COMPANY: 0, OrgKind.REGIONAL: 1, OrgKind.SUB_CORRESPONDENT: 2, OrgKind.STORE: 3}
    for node in nodes.values():
        node.children.sort(key=lambda n: (rank.get(OrgKind(n.unit.kind), 4), n.unit.name))
    return roots


def unit_choices(session: Session, kinds: set[OrgKind] | None = None) -> list[tuple[int, str]]:
    """Active units as (id, "Loja Centro · Equipe 1") pairs for select boxes."""
    units = session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True))).all()
    by_id = {u.id: u for u in units}

    def path(unit: OrgUnit) -> str:
        parts = [unit.name]
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        while parent is not None:
            parts.append(parent.name)
            parent = by_id.get(parent.parent_id) if parent.parent_id else None
        return " › ".join(reversed(parts))

    chosen = [u for u in units if kinds is None or OrgKind(u.kind) in kinds]
    return sorted(((u.id, path(u)) for u in chosen), key=lambda pair: pair[1])


def find_unit(session: Session, kind: str, name: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.kind == kind, OrgUnit.name == name))
