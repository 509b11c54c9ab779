"""Fixtures of the insights tests: jobs run by hand in the test thread (the jobs tests'
manual runner), a fake clock for the reports domain, and for the dashboards two stores with
one team each, an agent in each team, the first team's supervisor, a company-wide manager and
a client per agent."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from tests import factories
from tests.jobs.conftest import ManualRunner, manual_runner  # noqa: F401  (fixture)
from tests.pipeline_helpers import register_banks

__all__ = ["ManualRunner"]


@pytest.fixture
def clock(monkeypatch):
    """`clock.set(datetime)` fixes the moment the reports domain sees."""
    from portal.insights import reports

    class Clock:
        moment: datetime | None = None

        def set(self, moment: datetime) -> None:
            self.moment = moment

    fake = Clock()
    monkeypatch.setattr(reports, "now", lambda: fake.moment)
    return fake


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
