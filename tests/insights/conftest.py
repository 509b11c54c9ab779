"""Fixtures of the dashboard tests: two stores with one team each, an agent in each team,
the first team's supervisor, a company-wide manager and a client per agent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories
from tests.pipeline_helpers import register_banks


def build(db) -> SimpleNamespace:
    register_banks(db)
    company = factories.org_unit(db, "company", "Empresa")
    store_a = factories.org_unit(db, "store", "Loja Centro", company)
    store_b = factories.org_unit(db, "store", "Loja Norte", company)
    team_a = factories.org_unit(db, "team", "Equipe A", store_a)
    team_b = factories.org_unit(db, "team", "Equipe B", store_b)
    agent_user = factories.user(db, role="agent", name="Ana Corretora")
    supervisor_user = factories.user(db, role="supervisor", name="Sílvia Supervisora")
    factories.collaborator(db, supervisor_user, team_a, role_group="supervisor")
    agent = factories.collaborator(db, agent_user, team_a, name="Ana Corretora")
    other_agent = factories.collaborator(db, None, team_b, name="Bruno Vendedor")
    return SimpleNamespace(
        store_a=store_a,
        store_b=store_b,
        team_a=team_a,
        team_b=team_b,
        agent_user=agent_user,
        agent=agent,
        other_agent=other_agent,
        supervisor_user=supervisor_user,
        manager_user=factories.user(db, role="manager", name="Gustavo Gerente"),
        client=factories.client(db, agent, name="Maria da Silva"),
        other_client=factories.client(db, other_agent, name="José Souza"),
    )


@pytest.fixture
def org(db):
    return build(db)
