"""Record scoping: agent → own, supervisor → team, store manager → store, back office → all."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.people.models import Collaborator, Membership
from portal.people.scope import can_see_collaborator, visible_collaborator_ids
from tests import factories


def _visible(db, user, on=None):
    subq = visible_collaborator_ids(db, user, on)
    stmt = select(Collaborator.id)
    if subq is not None:
        stmt = stmt.where(Collaborator.id.in_(subq))
    return set(db.scalars(stmt))


def _org(db):
    company = factories.org_unit(db, "company", "Empresa")
    store_a = factories.org_unit(db, "store", "Loja A", company)
    store_b = factories.org_unit(db, "store", "Loja B", company)
    team_a1 = factories.org_unit(db, "team", "Equipe A1", store_a)
    team_a2 = factories.org_unit(db, "team", "Equipe A2", store_a)
    team_b1 = factories.org_unit(db, "team", "Equipe B1", store_b)
    return company, store_a, store_b, team_a1, team_a2, team_b1


def test_scoping_by_role(db):
    company, store_a, store_b, team_a1, team_a2, team_b1 = _org(db)
    agent_user = factories.user(db, role="agent")
    agent = factories.collaborator(db, agent_user, team_a1)
    peer = factories.collaborator(db, None, team_a1)
    other_team = factories.collaborator(db, None, team_a2)
    other_store = factories.collaborator(db, None, team_b1)
    sup_user = factories.user(db, role="supervisor")
    sup = factories.collaborator(db, sup_user, team_a1, role_group="supervisor")
    remote_report = factories.collaborator(db, None, team_b1, supervisor_id=sup.id)
    mgr_user = factories.user(db, role="manager")
    mgr = factories.collaborator(db, mgr_user, store_a, role_group="manager")
    boss_user = factories.user(db, role="manager")  # no membership: company-wide
    ops_user = factories.user(db, role="operations")
    lonely_agent = factories.user(db, role="agent")

    assert _visible(db, agent_user) == {agent.id}
    assert _visible(db, sup_user) == {agent.id, peer.id, sup.id, remote_report.id}
    assert _visible(db, mgr_user) == {agent.id, peer.id, other_team.id, sup.id, mgr.id}
    assert visible_collaborator_ids(db, boss_user) is None
    assert visible_collaborator_ids(db, ops_user) is None
    assert _visible(db, lonely_agent) == set()
    assert other_store.id not in _visible(db, mgr_user)
    assert can_see_collaborator(db, sup_user, peer.id)
    assert not can_see_collaborator(db, agent_user, peer.id)


def test_membership_history_is_respected(db):
    _, _, _, team_a1, team_a2, _ = _org(db)
    sup_user = factories.user(db, role="supervisor")
    factories.collaborator(db, sup_user, team_a1, role_group="supervisor")
    mover = factories.collaborator(db, None)
    db.add(
        Membership(
            collaborator_id=mover.id,
            org_unit_id=team_a1.id,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 4, 1),
        )
    )
    db.add(Membership(collaborator_id=mover.id, org_unit_id=team_a2.id, valid_from=date(2026, 4, 1)))
    db.flush()
    assert mover.id in _visible(db, sup_user, on=date(2026, 3, 15))
    assert mover.id not in _visible(db, sup_user, on=date(2026, 4, 1))
