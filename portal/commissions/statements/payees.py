"""Who a payee key is: the collaborator (or sub-correspondent) and the store they sold
for, as the statement and the payment monitoring show them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.models import LedgerEntry
from portal.commissions.periods import last_day
from portal.people.models import Collaborator, Membership, OrgKind, OrgUnit
from portal.people.scope import active_on


@dataclass(frozen=True)
class PayeeLabel:
    name: str
    collaborator_id: int | None
    org_unit_id: int | None
    store: str


def _stores(session: Session, collaborator_ids: list[int], period: str) -> dict[int, str]:
    """The store above each collaborator's unit on the period's last day ("" if none)."""
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    memberships = session.execute(
        select(Membership.collaborator_id, Membership.org_unit_id).where(
            Membership.collaborator_id.in_(collaborator_ids), active_on(last_day(period))
        )
    ).all()
    out: dict[int, str] = {}
    for collaborator_id, unit_id in memberships:
        unit = units.get(unit_id)
        while unit is not None and unit.kind != OrgKind.STORE.value:
            unit = units.get(unit.parent_id) if unit.parent_id else None
        if unit is not None:
            out[collaborator_id] = unit.name
    return out


def payee_labels(session: Session, period: str, payees: list[str]) -> dict[str, PayeeLabel]:
    if not payees:
        return {}
    rows = session.execute(
        select(LedgerEntry.payee, func.max(LedgerEntry.collaborator_id), func.max(LedgerEntry.org_unit_id))
        .where(LedgerEntry.posting_period == period, LedgerEntry.payee.in_(payees))
        .group_by(LedgerEntry.payee)
    ).all()
    people = {
        c.id: c.name
        for c in session.scalars(
            select(Collaborator).where(Collaborator.id.in_([r[1] for r in rows if r[1]]))
        )
    }
    units: dict[int, str] = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).tuples().all())
    stores = _stores(session, list(people), period)
    out = {}
    for payee, collaborator_id, org_unit_id in rows:
        if collaborator_id is not None:
            name, store = people.get(collaborator_id, payee), stores.get(collaborator_id, "")
        elif org_unit_id is not None:
            name, store = units.get(org_unit_id, payee), ""
        else:
            name, store = payee, ""
        out[payee] = PayeeLabel(
            name, collaborator_id, org_unit_id if collaborator_id is None else None, store
        )
    return out
