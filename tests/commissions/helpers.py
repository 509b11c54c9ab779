"""Builders of the commission tests: an org with a supervisor, an approved Facta table
(INSS new loan: flat 6 % + deferred 0,5 % × 12 on the gross, 90 days pro rata), the
agent's 40 % plan, a 0,30 % supervisor override, and proposals paid on fixed days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from portal.commissions import plans, tables
from portal.commissions.types import PlanBasis, TableRow
from portal.core.audit import Actor
from portal.demo.commissions import table_row
from portal.proposals import services as proposal_services
from portal.proposals.services import change_status
from tests import factories

FINANCE = Actor(id=None, label="Financeiro de teste")
D = Decimal


def row(**changes) -> TableRow:
    values: dict = dict(  # noqa: C408 - keyword form mirrors TableRow
        bank="facta",
        product="new",
        agreement="INSS",
        term_to=96,
        rate_to=D("3"),
        valid_from=date(2026, 1, 1),
        flat=D("6"),
        deferred=D("0.5"),
        deferred_months=12,
    )
    values.update(changes)
    return table_row(**values)


@dataclass
class World:
    agent: object
    supervisor: object
    client: object
    version: object
    agent_key: str
    supervisor_key: str


def world(db, *, flat: str = "6") -> World:
    factories.regulatory_defaults(db)
    factories.bank(db, "facta")
    company = factories.org_unit(db, "company", "Empresa")
    store = factories.org_unit(db, "store", "Loja", company)
    team = factories.org_unit(db, "team", "Equipe", store)
    supervisor = factories.collaborator(db, None, team, role_group="supervisor", email="sup@teste.athenas")
    agent_user = factories.user(db, role="agent")
    agent = factories.collaborator(db, agent_user, team, email="ana@teste.athenas")
    version = tables.create_draft(
        db, FINANCE, bank_code="facta", valid_from=date(2026, 1, 1), valid_to=None, rows=[row(flat=D(flat))]
    )
    tables.approve(db, FINANCE, version)
    plans.set_plan(
        db,
        FINANCE,
        collaborator_id=agent.id,
        valid_from=date(2025, 1, 1),
        basis=PlanBasis.COMMISSION,
        percent=D("40"),
    )
    plans.set_override_rate(db, FINANCE, level="supervisor", percent=D("0.30"), valid_from=date(2025, 1, 1))
    return World(
        agent, supervisor, factories.client(db, agent), version, "ana@teste.athenas", "sup@teste.athenas"
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def move(db, monkeypatch, proposal, status: str, on: date, reason: str | None = None) -> None:
    """Move the proposal as the services do, with the clock set to `on` (12:00 UTC)."""
    monkeypatch.setattr(proposal_services, "utcnow", lambda: at(on))
    change_status(db, FINANCE, proposal, status, reason=reason)


def paid_proposal(db, monkeypatch, w: World, on: date, gross: str = "10000.00", **fields):
    proposal = factories.proposal(
        db,
        w.client,
        w.agent,
        status="endorsed",
        gross_amount=D(gross),
        contract_number=fields.pop("contract", None) or f"CT-{on:%Y%m%d}-{gross}",
        **fields,
    )
    move(db, monkeypatch, proposal, "paid", on)
    return proposal
