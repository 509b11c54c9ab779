"""Success paths of every adapter against the sandbox: margin, simulation, submission, status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from portal.banks.errors import BankError, BankRejected, NotAuthorized, UnsupportedCapability
from portal.banks.types import BenefitState, Capability, Product
from sandbox_bank.scenarios import (
    CPF_AUTH_PENDING,
    CPF_AUTH_REFUSED,
    CPF_BLOCKED,
    CPF_MARGIN_OK,
    CPF_REJECTED,
    margins_for,
)
from tests.banks.helpers import (
    AMOUNT,
    margin_request,
    simulate_and_submit,
    simulation_request,
    submission,
)

SUBMITTING_BANKS = ["facta", "daycoval", "c6"]
FIRST_STATUS = {
    "facta": ("AGUARDANDO ASSINATURA DIGITAL", "ASSINADO"),
    "daycoval": ("AGUARDANDO ASSINATURA", "EM ANALISE"),
    "c6": ("AGUARDANDO_ASSINATURA", "ASSINADA"),
}


@pytest.mark.parametrize("bank", ["facta", "daycoval", "c6", "master"])
def test_margin_of_an_active_client_comes_from_the_bank(connect, bank):
    result = connect(bank).benefit_query(margin_request(bank, CPF_MARGIN_OK))

    expected = margins_for(CPF_MARGIN_OK)
    assert result.bank == bank
    assert result.state is BenefitState.ACTIVE
    assert result.loan_margin == expected["loan"]
    assert isinstance(result.loan_margin, Decimal)
    assert result.blocks == ()
    if bank != "c6":  # CLT has no card margins
        assert (result.rmc_margin, result.rcc_margin) == (expected["rmc"], expected["rcc"])


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_simulation_returns_priced_options_in_our_types(connect, bank):
    options = connect(bank).simulate(simulation_request(bank, CPF_MARGIN_OK))

    assert 1 <= len(options) <= 5
    for option in options:
        assert option.bank == bank
        assert option.gross_amount == AMOUNT
        assert Decimal("0") < option.installment < AMOUNT
        assert option.installment * option.term_months > AMOUNT  # interest is charged
        assert option.monthly_rate > 0 and option.cet_annual > option.monthly_rate
        assert option.rate_table


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_simulation_by_installment_finds_the_amount(connect, bank):
    options = connect(bank).simulate(
        simulation_request(bank, CPF_MARGIN_OK, requested_amount=None, installment=Decimal("200"))
    )
    assert options
    assert all(abs(o.installment - Decimal("200")) <= Decimal("0.01") for o in options)
    assert all(o.gross_amount > Decimal("1000") for o in options)


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_submission_then_status_follow_up(connect, sandbox, operator, bank):
    connector = connect(bank)
    started = datetime.now(UTC) - timedelta(seconds=2)

    result = simulate_and_submit(connector, CPF_MARGIN_OK, operator)

    number = result.bank_proposal_number
    assert result.confirmed and number
    assert result.bank_status == FIRST_STATUS[bank][0]
    if bank == "daycoval":
        assert result.signing_link is None and result.signing_channel == "sms"
    else:
        assert result.signing_link and number in result.signing_link
    if bank == "c6":
        assert result.signing_link_expires_at is not None
        validity = result.signing_link_expires_at - datetime.now(UTC)
        assert timedelta(days=29) < validity <= timedelta(days=30)

    assert sandbox.control("POST", f"/proposals/{number}/advance").ok
    by_number = connector.fetch_status(proposal_numbers=[number])
    assert by_number[-1].bank_status == FIRST_STATUS[bank][1]
    assert by_number[-1].bank_proposal_number == number

    by_period = connector.fetch_status(since=started)
    mine = [u for u in by_period if u.bank_proposal_number == number]
    assert mine and mine[-1].bank_status == FIRST_STATUS[bank][1]
    assert all(u.occurred_at.tzinfo is not None for u in by_period)


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_status_set_by_the_bank_is_reported_verbatim(connect, sandbox, operator, bank):
    connector = connect(bank)
    number = simulate_and_submit(connector, CPF_MARGIN_OK, operator).bank_proposal_number
    sandbox.control("POST", f"/proposals/{number}/status", json={"status": "CANCELADA"})

    assert connector.fetch_status(proposal_numbers=[number])[-1].bank_status == "CANCELADA"


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_business_refusal_carries_the_bank_message(connect, operator, bank):
    with pytest.raises(BankRejected) as caught:
        simulate_and_submit(connect(bank), CPF_REJECTED, operator)
    assert "recusou" in caught.value.message
    assert caught.value.bank_message and caught.value.bank_message in caught.value.message
    assert not caught.value.retryable


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_simulation_of_a_blocked_benefit_is_refused(connect, bank):
    with pytest.raises(BankRejected):
        connect(bank).simulate(simulation_request(bank, CPF_BLOCKED))


def test_facta_needs_its_operation_code_for_the_product(connect):
    with pytest.raises(UnsupportedCapability, match="não oferece este produto"):
        connect("facta").simulate(simulation_request("facta", CPF_MARGIN_OK, product=Product.FGTS))


def test_facta_submission_sends_the_certified_agents_login(connect, operator):
    facta = connect("facta")
    option = facta.simulate(simulation_request("facta", CPF_MARGIN_OK))[0]
    anonymous = operator.__class__(login="", certified_cpf=operator.certified_cpf)
    with pytest.raises(BankRejected, match="agente certificado"):
        facta.submit(submission(option, CPF_MARGIN_OK, anonymous))


def test_daycoval_query_without_term_signed_is_not_authorized(connect):
    with pytest.raises(NotAuthorized) as caught:
        connect("daycoval").benefit_query(margin_request("daycoval", CPF_AUTH_REFUSED))
    assert caught.value.message == "Cliente sem autorização de consulta"


def test_daycoval_needs_the_collaborators_login(settings_for, store):
    from portal.banks.registry import build_connector

    connector = build_connector(settings_for("daycoval", credentials={"apikey": "k"}), store)
    with pytest.raises(BankError, match="login do colaborador"):
        connector.benefit_query(margin_request("daycoval", CPF_MARGIN_OK))


def test_daycoval_status_sync_uses_the_service_login(settings_for, store, connect, operator):
    from portal.banks.registry import build_connector

    number = simulate_and_submit(connect("daycoval"), CPF_MARGIN_OK, operator)
    sync = build_connector(settings_for("daycoval"), store)  # no operator: background job
    updates = sync.fetch_status(proposal_numbers=[number.bank_proposal_number])
    assert updates[-1].bank_status == "AGUARDANDO ASSINATURA"


def test_daycoval_refuses_a_bad_apikey(connect):
    with pytest.raises(BankRejected, match="Credenciais recusadas"):
        connect("daycoval", credentials={"apikey": "errada"}).benefit_query(
            margin_request("daycoval", CPF_MARGIN_OK)
        )


@pytest.mark.parametrize("bank", ["facta", "c6", "master"])
def test_wrong_company_password_is_a_clear_refusal(connect, bank):
    credentials = {**connect(bank).settings.credentials, "password": "errada"}
    with pytest.raises(BankRejected, match="Credenciais recusadas"):
        connect(bank, credentials=credentials).benefit_query(margin_request(bank, CPF_MARGIN_OK))


def test_c6_pending_authorization_gives_the_link_to_send(connect):
    with pytest.raises(NotAuthorized) as caught:
        connect("c6").benefit_query(margin_request("c6", CPF_AUTH_PENDING))
    assert caught.value.state == "pending"
    assert caught.value.authorization_link
    assert caught.value.message.startswith("Cliente sem autorização de consulta")


def test_c6_refused_authorization(connect):
    c6 = connect("c6")
    with pytest.raises(NotAuthorized) as caught:
        c6.benefit_query(margin_request("c6", CPF_AUTH_REFUSED))
    assert caught.value.state == "refused"
    with pytest.raises(NotAuthorized):
        c6.simulate(simulation_request("c6", CPF_AUTH_REFUSED))


def test_c6_authorization_request_and_state(connect):
    c6 = connect("c6")
    requested = c6.request_authorization(CPF_AUTH_PENDING, phone="11987654321")
    assert requested.state == "AGUARDANDO_AUTORIZACAO" and requested.link
    assert requested.expires_at and requested.expires_at > datetime.now(UTC)
    assert c6.authorization(CPF_MARGIN_OK).state == "AUTORIZADO"


def test_c6_offers_at_most_five_plans_including_the_requested_term(connect):
    plans = connect("c6").simulate(simulation_request("c6", CPF_MARGIN_OK, term_months=30))
    assert len(plans) == 5
    assert 30 in [p.term_months for p in plans]
    assert len({p.bank_data["id_plano"] for p in plans}) == 5


def test_c6_only_offers_the_clt_product(connect):
    with pytest.raises(UnsupportedCapability):
        connect("c6").simulate(simulation_request("c6", CPF_MARGIN_OK, product=Product.NEW))


def test_master_is_under_liquidation_and_takes_no_new_business(connect, operator):
    from tests.banks.helpers import fake_option

    master = connect("master")
    assert master.under_liquidation is True
    assert Capability.SUBMIT not in master.capabilities
    with pytest.raises(BankRejected, match="liquidação extrajudicial"):
        master.simulate(simulation_request("master", CPF_MARGIN_OK))
    with pytest.raises(BankRejected, match="liquidação extrajudicial"):
        master.submit(submission(fake_option("master"), CPF_MARGIN_OK, operator))


def test_master_follows_existing_proposals(connect, sandbox):
    master = connect("master")
    started = datetime.now(UTC) - timedelta(seconds=2)
    seeded = sandbox.control("POST", "/proposals", json={"bank": "master", "cpf": CPF_MARGIN_OK})
    number = seeded.json()["number"]
    sandbox.control("POST", f"/proposals/{number}/advance")

    assert master.fetch_status(proposal_numbers=[number])[-1].bank_status == "EM_ANALISE"
    assert number in {u.bank_proposal_number for u in master.fetch_status(since=started)}
    assert master.fetch_status(proposal_numbers=["BM0000000"]) == []


def test_bradesco_is_file_only_and_says_so(connect, operator):
    from tests.banks.helpers import fake_option

    bradesco = connect("bradesco")
    assert bradesco.capabilities == frozenset({Capability.FILE_ONLY})
    calls = [
        lambda: bradesco.benefit_query(margin_request("bradesco", CPF_MARGIN_OK)),
        lambda: bradesco.simulate(simulation_request("bradesco", CPF_MARGIN_OK)),
        lambda: bradesco.submit(submission(fake_option("bradesco"), CPF_MARGIN_OK, operator)),
        lambda: bradesco.fetch_status(proposal_numbers=["1"]),
        lambda: bradesco.parse_webhook({}, b"{}"),
    ]
    for call in calls:
        with pytest.raises(UnsupportedCapability) as caught:
            call()
        assert "portal do banco" in caught.value.message
        assert "não oferece" in caught.value.message


def test_capability_disabled_by_the_admin_is_refused_before_any_call(connect, sandbox):
    facta = connect("facta", capabilities=frozenset({Capability.BENEFIT_QUERY}))
    before = sandbox.calls()
    with pytest.raises(UnsupportedCapability, match="não oferece simulação"):
        facta.simulate(simulation_request("facta", CPF_MARGIN_OK))
    assert sandbox.calls() == before


def test_unknown_bank_code(settings_for, store):
    from dataclasses import replace

    from portal.banks.registry import build_connector

    with pytest.raises(BankError, match="ainda não tem integração"):
        build_connector(replace(settings_for("facta"), code="bmg", name="BMG"), store)


def test_status_fetch_needs_a_filter(connect):
    with pytest.raises(ValueError):
        connect("facta").fetch_status()


def test_unique_keys_make_distinct_proposals(connect, operator):
    c6 = connect("c6")
    first = simulate_and_submit(c6, CPF_MARGIN_OK, operator, key=uuid.uuid4().hex)
    second = simulate_and_submit(c6, CPF_MARGIN_OK, operator, key=uuid.uuid4().hex)
    assert first.bank_proposal_number != second.bank_proposal_number
