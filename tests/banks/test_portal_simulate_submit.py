"""Simulate at several banks, then submit a chosen option: once, whatever happens."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.banks import rules
from portal.banks.models import BankSimulation
from portal.banks.service import default_store
from portal.banks.webhooks import signed_headers
from portal.clients.models import ClientEvent
from portal.core.audit import SYSTEM, AuditEntry
from portal.people.models import Certification
from portal.proposals import bank_sync, mapping
from portal.proposals.models import Proposal
from portal.proposals.statuses import Status
from sandbox_bank.scenarios import CPF_ACCEPTED_THEN_TIMEOUT, CPF_MARGIN_OK, CPF_REJECTED
from tests import factories
from tests.banks.helpers import SUBMIT_CALL
from tests.banks.portal_fixtures import hx_post, make_seller, sandbox_banks

SIMULATION = {"product": "new", "mode": "amount", "requested_amount": "5.000,00", "term_months": "84"}


@pytest.fixture
def seller(db, login_as):
    return make_seller(db, login_as)


@pytest.fixture
def banks(db, sandbox):
    return sandbox_banks(db, sandbox)


def _simulate(client, customer, **overrides):
    data = {**SIMULATION, "banks": ["facta", "daycoval", "c6"], **overrides}
    return hx_post(
        client,
        f"/sales/clients/{customer.id}/simulate",
        data,
        token_page=f"/sales/clients/{customer.id}/simulate",
    )


def _last_simulation(db, customer) -> BankSimulation:
    return db.scalar(
        select(BankSimulation)
        .where(BankSimulation.client_id == customer.id)
        .order_by(BankSimulation.id.desc())
    )


def _option(simulation: BankSimulation, bank: str) -> int:
    return next(i for i, o in enumerate(simulation.options) if o["bank"] == bank and not o["blocked_reason"])


def _submit(client, customer, simulation, index):
    return hx_post(
        client,
        f"/sales/clients/{customer.id}/proposals",
        {"simulation_id": simulation.id, "option": index},
        token_page=f"/sales/clients/{customer.id}/simulate",
    )


def test_simulation_shows_each_banks_options_side_by_side_and_is_kept(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)

    response = _simulate(client, customer)

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    assert 'data-testid="options-facta"' in html and 'data-testid="options-daycoval"' in html
    assert "O banco C6 não oferece este produto pela integração" in html
    simulation = _last_simulation(db, customer)
    assert {o["bank"] for o in simulation.options} == {"facta", "daycoval"}
    assert all(Decimal(o["gross_amount"]) == Decimal("5000.00") for o in simulation.options)
    assert all(o["bank_data"] for o in simulation.options)  # kept for the submission
    assert "Simulação de Empréstimo novo (84 meses)" in db.scalar(
        select(ClientEvent.summary).where(ClientEvent.kind == "bank.simulation")
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "bank.simulation"))
    assert entry.details["banks"] == {"facta": "ok", "daycoval": "ok", "c6": "unsupported"}
    page = client.get(f"/sales/clients/{customer.id}/simulations/{simulation.id}").get_data(as_text=True)
    assert 'data-testid="options-facta"' in page and 'value="5.000,00"' in page


def test_rules_refuse_before_any_bank_is_called(client, db, seller, banks, sandbox):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    before = sandbox.calls()

    too_long = _simulate(client, customer, term_months="96")
    over_margin = _simulate(client, customer, mode="installment", requested_amount="", installment="1.050,01")

    assert too_long.status_code == 422
    assert "Prazo máximo para INSS é 84 meses" in too_long.get_data(as_text=True)
    assert over_margin.status_code == 422
    assert "Parcela acima da margem consignável do INSS (R$ 1.050,00)" in over_margin.get_data(as_text=True)
    assert sandbox.calls() == before
    assert db.scalar(select(func.count()).select_from(BankSimulation)) == 0


def test_options_above_the_rate_cap_cannot_be_submitted(client, db, seller, banks):
    rules.add_version(db, SYSTEM, "max_rate_loan_monthly", Decimal("1.77"), date.today())
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)

    html = _simulate(client, customer).get_data(as_text=True)

    simulation = _last_simulation(db, customer)
    cap = "Taxa acima do teto do INSS (1,77% a.m.)"
    above = [i for i, o in enumerate(simulation.options) if Decimal(o["monthly_rate"]) > Decimal("1.77")]
    assert above  # the sandbox's Facta table at 1,79% a.m.
    for i, option in enumerate(simulation.options):
        assert option["blocked_reason"] == (cap if i in above else None)
    assert cap in html
    for i in above:
        assert f'data-testid="submit-{simulation.options[i]["bank"]}-{i}"' not in html
    assert 'data-testid="submit-daycoval-' in html  # Daycoval's 1,76% a.m. may be sold
    refused = _submit(client, customer, simulation, above[0])
    assert refused.status_code == 422
    assert cap in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize("bank", ["facta", "daycoval"])
def test_submission_shows_the_bank_number_and_a_double_click_makes_one_proposal(
    client, db, seller, banks, sandbox, bank
):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)
    index = _option(simulation, bank)

    first = _submit(client, customer, simulation, index)
    sent = sandbox.calls()[SUBMIT_CALL[bank]]
    second = _submit(client, customer, simulation, index)

    assert first.status_code == 200 and second.status_code == 200
    number = re.search(r'data-testid="bank-proposal-number">([^<]+)<', first.get_data(as_text=True)).group(1)
    assert number in second.get_data(as_text=True)
    assert sandbox.calls()[SUBMIT_CALL[bank]] == sent  # the second click did not reach the bank
    [proposal] = db.scalars(select(Proposal)).all()
    at_bank = sandbox.control("GET", f"/proposals/{number}").json()
    assert proposal.bank_proposal_number == number == at_bank["number"]
    assert proposal.idempotency_key == simulation.idempotency_key
    assert proposal.status == Status.WAITING_SIGNATURE.value
    assert proposal.agent_id == seller.collaborator.id and proposal.gross_amount == Decimal("5000.00")
    if bank == "facta":
        assert proposal.signing_link and proposal.signing_link in first.get_data(as_text=True)
    else:
        assert "por SMS" in first.get_data(as_text=True)


def test_expired_certification_blocks_submission_with_a_clear_message(client, db, seller, banks, sandbox):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)
    expired = date.today() - timedelta(days=1)
    for cert in db.scalars(
        select(Certification).where(Certification.collaborator_id == seller.collaborator.id)
    ):
        cert.expires_on = expired
    db.flush()
    before = sandbox.calls().get(SUBMIT_CALL["facta"], 0)

    response = _submit(client, customer, simulation, _option(simulation, "facta"))

    assert response.status_code == 422
    assert f"Digitação bloqueada: Certificação vencida em {expired:%d/%m/%Y}." in response.get_data(
        as_text=True
    )
    assert sandbox.calls().get(SUBMIT_CALL["facta"], 0) == before
    assert db.scalar(select(func.count()).select_from(Proposal)) == 0


def test_bank_refusal_is_shown_and_recorded(client, db, seller, banks):
    customer = factories.selling_client(db, seller.collaborator, CPF_REJECTED)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)

    response = _submit(client, customer, simulation, _option(simulation, "daycoval"))

    assert "Proposta reprovada pela política de crédito" in response.get_data(as_text=True)
    proposal = db.scalar(select(Proposal))
    assert proposal.status == Status.CANCELLED.value


def test_timeout_after_acceptance_keeps_an_unconfirmed_proposal_that_the_sync_resolves(
    client, db, seller, banks, sandbox
):
    customer = factories.selling_client(db, seller.collaborator, CPF_ACCEPTED_THEN_TIMEOUT)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)

    response = _submit(client, customer, simulation, _option(simulation, "daycoval"))

    assert response.status_code == 200
    assert "não confirmou a digitação a tempo" in response.get_data(as_text=True)
    proposal = db.scalar(select(Proposal))
    assert proposal.status == Status.SUBMISSION_UNCONFIRMED.value
    assert proposal.bank_proposal_number is None
    assert proposal.gross_amount == Decimal("5000.00") and proposal.extra["bank_data"]  # nothing lost

    report = bank_sync.run_sync(db, default_store())

    at_bank = sandbox.control(
        "GET", "/proposals", params={"bank": "daycoval", "idempotency_key": simulation.idempotency_key}
    ).json()
    assert report.resolved == 1
    assert proposal.bank_proposal_number == at_bank["number"]
    assert proposal.status == Status.WAITING_SIGNATURE.value
    assert bank_sync.run_sync(db, default_store()).resolved == 0  # idempotent


def test_signed_webhook_moves_the_proposal_once(client, db, seller, banks, sandbox):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)
    _submit(client, customer, simulation, _option(simulation, "daycoval"))
    proposal = db.scalar(select(Proposal))
    mapping.set_mapping(db, "daycoval", "FORMALIZADA", Status.SIGNED)
    payload = {
        "evento": "SITUACAO_PROPOSTA",
        "numeroProposta": proposal.bank_proposal_number,
        "situacao": "FORMALIZADA",
        "dataHoraSituacao": "2026-01-10T12:00:00+00:00",
        "observacao": "",
    }
    body = json.dumps(payload).encode()
    headers = signed_headers("segredo-de-teste-webhook", body, uuid.uuid4().hex, time.time())
    assert client.post("/api/banks/daycoval/webhook", data=body, headers=headers).status_code == 200
    db.refresh(proposal)
    assert proposal.status == Status.SIGNED.value
    replay = client.post("/api/banks/daycoval/webhook", data=body, headers=headers)
    assert replay.status_code == 401
    again = signed_headers("segredo-de-teste-webhook", body, uuid.uuid4().hex, time.time())
    assert client.post("/api/banks/daycoval/webhook", data=body, headers=again).status_code == 200
    db.refresh(proposal)
    assert proposal.status == Status.SIGNED.value  # the same status twice changes nothing


def test_after_a_submission_the_other_banks_buttons_are_disabled_with_the_reason(
    client, db, seller, banks, sandbox
):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    _simulate(client, customer)
    simulation = _last_simulation(db, customer)
    chosen = _option(simulation, "facta")
    other = _option(simulation, "daycoval")

    answer = _submit(client, customer, simulation, chosen).get_data(as_text=True)
    page = client.get(f"/sales/clients/{customer.id}/simulations/{simulation.id}").get_data(as_text=True)

    number = re.search(r'data-testid="bank-proposal-number">([^<]+)<', answer).group(1)
    for html in (answer, page):  # the HTMX answer re-renders the offers; so does a reload
        assert f'data-testid="submit-daycoval-{other}"' not in html
        assert f'data-testid="submit-disabled-daycoval-{other}"' in html
        assert f'data-testid="submitted-facta-{chosen}"' in html
        assert f"Esta simulação já foi digitada no banco Facta (proposta nº {number}" in html
    assert 'data-testid="submit-' not in page.replace('data-testid="submit-disabled-', "")
