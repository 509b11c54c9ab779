"""Reads of collaborators: the scoped, filtered list shared by the page and its exports.

Current unit, its parent and the best certification expiry come from correlated
subqueries in the same SELECT, so a page costs one query whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, with_expression

from portal.core import documents
from portal.core.pagination import Page, keyset_page
from portal.people.certifications import best_expiry_query
from portal.people.collaborators import SUPERVISOR_GROUPS, cpf_index
from portal.people.constants import EXPIRING_WINDOW_DAYS, CertState, CollaboratorStatus
from portal.people.models import Certification, Collaborator, Membership, OrgUnit, RoleGroup, User
from portal.people.scope import active_on, visible_collaborator_ids


@dataclass(frozen=True)
class CollaboratorFilters:
    search: str = ""
    store_id: int | None = None
    team_id: int | None = None
    role_group: str = ""
    status: str = ""
    cert_state: str = ""


def _current_unit_column(on: date, parent: bool):
    """Correlated scalar: name of the unit (or of its parent) of the collaborator's newest
    membership in force on `on`."""
    unit = aliased(OrgUnit)
    upper = aliased(OrgUnit)
    column = upper.name if parent else unit.name
    stmt = select(column).select_from(Membership).join(unit, unit.id == Membership.org_unit_id)
    if parent:
        stmt = stmt.join(upper, upper.id == unit.parent_id)
    stmt = (
        stmt.where(Membership.collaborator_id == Collaborator.id, active_on(on))
        .order_by(Membership.valid_from.desc(), Membership.id.desc())
        .limit(1)
    )
    return stmt.correlate(Collaborator).scalar_subquery()


def _best_expiry(on: date):
    return (
        best_expiry_query(on)
        .where(Certification.collaborator_id == Collaborator.id)
        .correlate(Collaborator)
        .scalar_subquery()
    )


def collaborators_query(
    session: Session, user: User, filters: CollaboratorFilters, on: date | None = None
) -> Select:
    """Collaborators `user` may see, filtered, with the list columns loaded."""
    on = on or date.today()
    best = _best_expiry(on)
    stmt = select(Collaborator).options(
        with_expression(Collaborator.unit_name, _current_unit_column(on, parent=False)),
        with_expression(Collaborator.parent_unit_name, _current_unit_column(on, parent=True)),
        with_expression(Collaborator.best_expiry, best),
    )
    visible = visible_collaborator_ids(session, user, on)
    if visible is not None:
        stmt = stmt.where(Collaborator.id.in_(visible))
    search = filters.search.strip()
    if search and documents.is_valid_cpf(search):
        stmt = stmt.where(Collaborator.cpf_index == cpf_index(documents.normalize_cpf(search)))
    elif search:
        stmt = stmt.where(Collaborator.name.ilike(f"%{search}%"))
    if filters.team_id or filters.store_id:
        units = select(OrgUnit.id).where(OrgUnit.id == filters.team_id)
        if filters.store_id:
            units = select(OrgUnit.id).where(
                or_(OrgUnit.id == filters.store_id, OrgUnit.parent_id == filters.store_id)
            )
            if filters.team_id:
                units = units.where(OrgUnit.id == filters.team_id)
        members = select(Membership.collaborator_id).where(Membership.org_unit_id.in_(units), active_on(on))
        stmt = stmt.where(Collaborator.id.in_(members))
    if filters.role_group in {g.value for g in RoleGroup}:
        stmt = stmt.where(Collaborator.role_group == filters.role_group)
    if filters.status in {s.value for s in CollaboratorStatus}:
        stmt = stmt.where(Collaborator.status == filters.status)
    horizon = on + timedelta(days=EXPIRING_WINDOW_DAYS)
    state_conditions = {
        CertState.MISSING: best.is_(None),
        CertState.EXPIRED: best < on,
        CertState.EXPIRING: (best >= on) & (best <= horizon),
        CertState.VALID: best > horizon,
    }
    if filters.cert_state in state_conditions:
        stmt = stmt.where(state_conditions[CertState(filters.cert_state)])
    return stmt


def collaborators_page(
    session: Session, user: User, filters: CollaboratorFilters, cursor: str | None, per_page: int = 50
) -> Page[Collaborator]:
    stmt = collaborators_query(session, user, filters)
    return keyset_page(session, stmt, [Collaborator.name, Collaborator.id], cursor, per_page)


def supervisor_options(session: Session) -> list[tuple[int, str]]:
    """(id, name) of active collaborators who can supervise others, by name."""
    stmt = (
        select(Collaborator.id, Collaborator.name)
        .where(Collaborator.role_group.in_(SUPERVISOR_GROUPS), Collaborator.status == "active")
        .order_by(Collaborator.name, Collaborator.id)
    )
    return [(row.id, row.name) for row in session.execute(stmt)]
