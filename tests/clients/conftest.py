"""A small org for client tests: two stores, three teams, agents with logins."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories


@dataclass
class Org:
    agent_user: object
    agent: object
    peer_user: object
    peer: object
    other_team_agent: object
    other_store_agent: object
    supervisor_user: object
    manager_user: object
    operations_user: object


@pytest.fixture
def org(db) -> Org:
    company = factories.org_unit(db, "company", "Empresa")
    store_a = factories.org_unit(db, "store", "Loja A", company)
    store_b = factories.org_unit(db, "store", "Loja B", company)
    team_a1 = factories.org_unit(db, "team", "Equipe A1", store_a)
    team_a2 = factories.org_unit(db, "team", "Equipe A2", store_a)
    team_b1 = factories.org_unit(db, "team", "Equipe B1", store_b)
    agent_user = factories.user(db, role="agent")
    peer_user = factories.user(db, role="agent")
    supervisor_user = factories.user(db, role="supervisor")
    manager_user = factories.user(db, role="manager")
    factories.collaborator(db, supervisor_user, team_a1, role_group="supervisor")
    factories.collaborator(db, manager_user, store_a, role_group="manager")
    return Org(
        agent_user=agent_user,
        agent=factories.collaborator(db, agent_user, team_a1),
        peer_user=peer_user,
        peer=factories.collaborator(db, peer_user, team_a1),
        other_team_agent=factories.collaborator(db, None, team_a2),
        other_store_agent=factories.collaborator(db, None, team_b1),
        supervisor_user=supervisor_user,
        manager_user=manager_user,
        operations_user=factories.user(db, role="operations"),
    )
