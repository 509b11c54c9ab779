"""Record scoping: which collaborators' records a user may see.

The single rule every domain's queries use (clients, proposals, commissions, dashboards):
- back office (operations, finance, admin) and managers without a unit: everyone;
- agent: only themself (the collaborator linked to their login);
- supervisor / manager with memberships: themself, their direct reports and everyone with
  a membership, on the given day, in their units or any unit below them (a store manager
  sees the store's teams).
A user with no linked collaborator in a scoped role sees nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, literal, or_, select, union
from sqlalchemy.orm import Session, aliased

from portal.people.models import Collaborator, Membership, OrgUnit, User
from portal.people.permissions import Role

UNSCOPED_ROLES = {Role.OPERATIONS, Role.FINANCE, Role.ADMIN}


def active_on(on: date):
    """Membership condition: valid on day `on` (valid_to exclusive)."""
    return (Membership.valid_from <= on) & or_(Membership.valid_to.is_(None), Membership.valid_to > on)


def _own_collaborator(user: User) -> Select:
    return select(Collaborator.id).where(Collaborator.user_id == user.id)


def _units_below(root_units: Select) -> Select:
    """The given units and all their descendants (recursive CTE; SQLite and PostgreSQL)."""
    tree = select(OrgUnit.id.label("id")).where(OrgUnit.id.in_(root_units)).cte("unit_tree", recursive=True)
    child = aliased(OrgUnit)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def visible_collaborator_ids(session: Session, user: User, on: date | None = None) -> Select | None:
    """A SELECT of visible collaborator ids, or None when the user sees everyone.

    Use as `.where(Model.owner_id.in_(subquery))`; None means "no filter".
    """
    role = Role(user.role)
    if role in UNSCOPED_ROLES:
        return None
    if role == Role.AGENT:
        return _own_collaborator(user)
    on = on or date.today()
    own = _own_collaborator(user)
    my_units = select(Membership.org_unit_id).where(Membership.collaborator_id.in_(own), active_on(on))
    if role == Role.MANAGER and session.scalar(select(literal(1)).where(my_units.exists())) is None:
        return None  # a company-wide manager
    in_my_units = select(Membership.collaborator_id).where(
        Membership.org_unit_id.in_(_units_below(my_units)), active_on(on)
    )
    reports = select(Collaborator.id).where(Collaborator.supervisor_id.in_(own))
    return select(union(own, reports, in_my_units).subquery().c[0])


def visible_unit_ids(session: Session, user: User, on: date | None = None) -> Select | None:
    """The same rule in org-unit form, for records kept per store/team (the dashboards'
    rollups): a SELECT of the unit ids whose records the user sees (their units and every
    unit below), or None when the user sees everyone. An agent has no unit-wide view."""
    role = Role(user.role)
    if role in UNSCOPED_ROLES:
        return None
    if role == Role.AGENT:
        return select(OrgUnit.id).where(literal(False))
    on = on or date.today()
    my_units = select(Membership.org_unit_id).where(
        Membership.collaborator_id.in_(_own_collaborator(user)), active_on(on)
    )
    if role == Role.MANAGER and session.scalar(select(literal(1)).where(my_units.exists())) is None:
        return None  # a company-wide manager
    return _units_below(my_units)


def can_see_collaborator(session: Session, user: User, collaborator_id: int, on: date | None = None) -> bool:
    visible = visible_collaborator_ids(session, user, on)
    if visible is None:
        return True
    return session.scalar(select(literal(True)).where(literal(collaborator_id).in_(visible))) is True
