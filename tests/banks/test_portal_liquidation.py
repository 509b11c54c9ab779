"""A bank under extrajudicial liquidation (Banco Master since 18/11/2025) is flagged on every
sales screen where it is picked or shown, from the Bank row's flag, never a hard-coded code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.banks import lookups
from portal.banks.calls import CallOutcome
from portal.banks.types import Capability, Product
from portal.core.audit import SYSTEM
from tests import factories
from tests.banks.portal_fixtures import make_seller

WARNING = "Banco em liquidação extrajudicial pelo Banco Central desde 18/11/2025"
RISK = "novas operações suspensas; comissões diferidas são exposição de risco"
CPF = "52998224725"


@pytest.fixture
def banks(db):
    capabilities = [Capability.BENEFIT_QUERY, Capability.SIMULATE, Capability.SUBMIT, Capability.FETCH_STATUS]
    return {
        "master": factories.bank(
            db, "master", name="Banco Master", under_liquidation=True, capabilities=capabilities
        ),
        "facta": factories.bank(db, "facta", name="Facta", capabilities=capabilities),
    }


@pytest.fixture
def seller(db, login_as):
    return make_seller(db, login_as)


def _card(html: str, bank: str) -> str:
    """The HTML of one bank's card (up to the next bank's card)."""
    start = html.index(f'data-bank="{bank}"')
    following = re.search(r'data-bank="', html[start + 1 :])
    return html[start : start + 1 + following.start()] if following else html[start:]


def test_client_page_flags_the_bank_under_liquidation(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF)

    html = client.get(f"/sales/clients/{customer.id}").get_data(as_text=True)

    assert WARNING in _card(html, "master") and RISK in _card(html, "master")
    assert WARNING not in _card(html, "facta")
    assert html.count(WARNING) == 1


def test_simulation_page_flags_the_bank_under_liquidation(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF)

    html = client.get(f"/sales/clients/{customer.id}/simulate").get_data(as_text=True)

    assert WARNING in html and RISK in html
    assert 'data-testid="liquidation-badge-master"' in html
    assert 'data-testid="liquidation-badge-facta"' not in html


def test_simulation_page_without_such_a_bank_has_no_warning(client, db, seller, banks):
    banks["master"].enabled = False  # only Facta offered
    customer = factories.selling_client(db, seller.collaborator, CPF)

    html = client.get(f"/sales/clients/{customer.id}/simulate").get_data(as_text=True)

    assert WARNING not in html


def test_the_flag_comes_from_the_bank_row(client, db, seller, banks):
    banks["master"].under_liquidation = False
    banks["facta"].under_liquidation = True
    customer = factories.selling_client(db, seller.collaborator, CPF)

    html = client.get(f"/sales/clients/{customer.id}").get_data(as_text=True)

    assert WARNING in _card(html, "facta") and WARNING not in _card(html, "master")


def test_sales_proposal_page_flags_a_proposal_at_that_bank(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF)
    at_master = factories.proposal(db, customer, bank_code="master")
    at_facta = factories.proposal(db, customer, bank_code="facta")

    master_page = client.get(f"/sales/proposals/{at_master.id}")
    facta_page = client.get(f"/sales/proposals/{at_facta.id}")

    assert master_page.status_code == 200 and facta_page.status_code == 200
    assert WARNING in master_page.get_data(as_text=True) and RISK in master_page.get_data(as_text=True)
    assert WARNING not in facta_page.get_data(as_text=True)


def test_operations_proposal_page_flags_a_proposal_at_that_bank(client, db, login_as, banks):
    agent = factories.collaborator(db, factories.user(db, role="agent"), factories.org_unit(db, "team"))
    customer = factories.client(db, agent)
    at_master = factories.proposal(db, customer, bank_code="master")
    at_facta = factories.proposal(db, customer, bank_code="facta")
    login_as("operations")

    master_page = client.get(f"/operations/proposals/{at_master.id}")
    facta_page = client.get(f"/operations/proposals/{at_facta.id}")

    assert master_page.status_code == 200 and facta_page.status_code == 200
    assert WARNING in master_page.get_data(as_text=True)
    assert WARNING not in facta_page.get_data(as_text=True)


def test_simulation_results_flag_the_bank_under_liquidation(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF)
    simulation = lookups.record_simulation(
        db,
        SYSTEM,
        customer,
        lookups.SimulationInput(product=Product.NEW, term_months=84, banks=("master", "facta")),
        "INSS",
        [
            CallOutcome("master", "Banco Master", "rejected", message="Operação suspensa"),
            CallOutcome("facta", "Facta", "unavailable", message="Banco Facta indisponível"),
        ],
        date.today(),
        seller.user.id,
    )

    html = client.get(f"/sales/clients/{customer.id}/simulations/{simulation.id}").get_data(as_text=True)

    assert WARNING in _card(html, "master")
    assert WARNING not in _card(html, "facta")
