"""Margin lookups from the client page against the sandbox bank process."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.clients.models import ClientEvent
from portal.core.audit import AuditEntry
from portal.core.money import format_brl
from sandbox_bank.scenarios import (
    CPF_BLOCKED,
    CPF_EXPIRED_TOKEN,
    CPF_HTTP_500,
    CPF_MALFORMED,
    CPF_MARGIN_OK,
    CPF_TIMEOUT,
    margins_for,
)
from tests import factories
from tests.banks.helpers import MARGIN_CALL
from tests.banks.portal_fixtures import hx_post, make_seller, sandbox_banks


@pytest.fixture
def seller(db, login_as):
    return make_seller(db, login_as)


@pytest.fixture
def banks(db, sandbox):
    return sandbox_banks(db, sandbox)


def _lookup(client, client_id, bank):
    return hx_post(client, f"/sales/clients/{client_id}/lookups/{bank}")


@pytest.mark.parametrize("bank", ["facta", "daycoval"])
def test_lookup_shows_the_margin_card_and_records_it_without_personal_data(client, db, seller, banks, bank):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)

    response = _lookup(client, customer.id, bank)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-outcome="ok"' in html
    assert format_brl(margins_for(CPF_MARGIN_OK)["loan"]) in html
    assert "Benefício ativo" in html
    assert "<html" not in html  # a fragment for HTMX, not a page
    event = db.scalar(
        select(ClientEvent).where(ClientEvent.client_id == customer.id, ClientEvent.kind == "bank.lookup")
    )
    assert "margem livre" in event.summary
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "bank.lookup"))
    assert entry.target == f"client:{customer.id}"
    assert entry.details["bank"] == bank and entry.details["outcome"] == "ok"
    assert CPF_MARGIN_OK not in json.dumps(entry.details) + event.summary


def test_client_page_offers_a_lookup_button_per_bank(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    html = client.get(f"/sales/clients/{customer.id}").get_data(as_text=True)
    for code in ("facta", "daycoval", "c6"):
        assert f'data-testid="lookup-{code}"' in html
        assert f'hx-post="/sales/clients/{customer.id}/lookups/{code}"' in html


def test_without_authorisation_the_bank_is_not_called(client, db, seller, banks, sandbox):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK, consent=False)
    before = sandbox.calls().get(MARGIN_CALL["facta"], 0)

    response = _lookup(client, customer.id, "facta")

    assert response.status_code == 200
    assert "Cliente sem autorização de consulta" in response.get_data(as_text=True)
    assert sandbox.calls().get(MARGIN_CALL["facta"], 0) == before
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "bank.lookup"))
    assert entry.details["outcome"] == "not_authorized"


def test_blocked_benefit_is_shown_as_such(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF_BLOCKED)
    html = _lookup(client, customer.id, "facta").get_data(as_text=True)
    assert "Bloqueado para consignado" in html


def test_expired_token_is_refreshed_transparently(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF_EXPIRED_TOKEN)
    assert 'data-outcome="ok"' in _lookup(client, customer.id, "facta").get_data(as_text=True)


@pytest.mark.parametrize(
    ("cpf", "outcome", "message"),
    [
        (CPF_MALFORMED, "malformed", "Resposta inválida do banco Daycoval, tente em instantes"),
        (CPF_TIMEOUT, "timeout", "Banco Daycoval não respondeu a tempo, tente em instantes"),
    ],
)
def test_bank_failures_stay_inside_the_card(client, db, seller, banks, cpf, outcome, message):
    customer = factories.selling_client(db, seller.collaborator, cpf)

    response = _lookup(client, customer.id, "daycoval")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-outcome="{outcome}"' in html and message in html
    assert (
        db.scalar(select(func.count()).select_from(ClientEvent).where(ClientEvent.kind == "bank.lookup")) == 1
    )


def test_outage_opens_the_breaker_and_then_answers_at_once(client, db, seller, banks, sandbox):
    banks["c6"].breaker_threshold = 2
    db.flush()
    customer = factories.selling_client(db, seller.collaborator, CPF_HTTP_500)
    call = MARGIN_CALL["c6"]

    for _ in range(2):
        html = _lookup(client, customer.id, "c6").get_data(as_text=True)
        assert "Banco C6 indisponível, tente em instantes" in html
    sent = sandbox.calls().get(call, 0)
    html = _lookup(client, customer.id, "c6").get_data(as_text=True)

    assert "Banco C6 indisponível, tente em instantes" in html
    assert sandbox.calls().get(call, 0) == sent  # the open circuit answered without the network


def test_agent_cannot_look_up_someone_elses_client(client, db, seller, banks):
    other = factories.collaborator(db, None, factories.org_unit(db, "team"))
    customer = factories.selling_client(db, other, CPF_MARGIN_OK)
    assert _lookup(client, customer.id, "facta").status_code == 404


@pytest.mark.parametrize("role", ["operations", "finance", "admin"])
def test_back_office_roles_do_not_query_banks(client, db, login_as, banks, role):
    login_as(role)
    owner = factories.collaborator(db, None, factories.org_unit(db, "team"))
    customer = factories.selling_client(db, owner, CPF_MARGIN_OK)
    token_page = "/sales/clients" if role != "finance" else "/finance/"
    assert (
        hx_post(client, f"/sales/clients/{customer.id}/lookups/facta", token_page=token_page).status_code
        == 403
    )
