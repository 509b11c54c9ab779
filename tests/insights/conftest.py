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
from tests.pipeline_helpers import two_store_org

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
    org = two_store_org(db, name="Sílvia Supervisora")
    return SimpleNamespace(
        **org,
        manager_user=factories.user(db, role="manager", name="Gustavo Gerente"),
        client=factories.client(db, org["agent"], name="Maria da Silva"),
        other_client=factories.client(db, org["other_agent"], name="José Souza"),
    )


@pytest.fixture
def org(db):
    return build(db)
