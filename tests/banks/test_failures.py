"""How each adapter behaves when the bank misbehaves: blocks, timeouts, outages, bad JSON."""

from __future__ import annotations

import time
import uuid

import pytest

from portal.banks.errors import BankTimeout, BankUnavailable, MalformedResponse
from portal.banks.state import MemoryStore
from portal.banks.types import BenefitState
from sandbox_bank.scenarios import (
    CPF_ACCEPTED_THEN_TIMEOUT,
    CPF_BLOCKED,
    CPF_EXPIRED_TOKEN,
    CPF_HTTP_500,
    CPF_MALFORMED,
    CPF_MARGIN_OK,
    CPF_NOT_ELIGIBLE,
    CPF_SLOW,
    CPF_TIMEOUT,
)
from tests.banks.helpers import (
    MARGIN_CALL,
    SUBMIT_CALL,
    TOKEN_CALL,
    FakeClock,
    fake_option,
    margin_request,
    simulate_and_submit,
    submission,
)

API_BANKS = ["facta", "daycoval", "c6", "master"]
SUBMITTING_BANKS = ["facta", "daycoval", "c6"]


def delta(before: dict[str, int], after: dict[str, int], key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


@pytest.mark.parametrize("bank", API_BANKS)
def test_blocked_benefit_has_no_margin_and_says_why(connect, bank):
    result = connect(bank).benefit_query(margin_request(bank, CPF_BLOCKED))
    assert result.state is BenefitState.BLOCKED
    assert result.loan_margin == 0
    assert result.blocks


@pytest.mark.parametrize("bank", API_BANKS)
def test_not_eligible_benefit(connect, bank):
    result = connect(bank).benefit_query(margin_request(bank, CPF_NOT_ELIGIBLE))
    assert result.state is BenefitState.NOT_ELIGIBLE
    assert result.loan_margin == 0


@pytest.mark.parametrize("bank", API_BANKS)
def test_read_timeout_becomes_bank_timeout_quickly(connect, bank):
    connector = connect(bank, read_timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(BankTimeout) as caught:
        connector.benefit_query(margin_request(bank, CPF_TIMEOUT))
    assert time.monotonic() - started < 2
    assert caught.value.message == "Tempo de resposta do banco esgotado"
    assert caught.value.retryable


def test_slow_bank_still_answers_within_the_read_timeout(connect):
    started = time.monotonic()
    result = connect("facta", read_timeout=4).benefit_query(margin_request("facta", CPF_SLOW))
    assert result.state is BenefitState.ACTIVE
    assert time.monotonic() - started >= 2  # the sandbox really waited


@pytest.mark.parametrize("bank", API_BANKS)
def test_http_500_is_unavailable_and_idempotent_lookups_are_retried(connect, sandbox, bank):
    connector = connect(bank, max_retries=2)
    before = sandbox.calls()
    with pytest.raises(BankUnavailable) as caught:
        connector.benefit_query(margin_request(bank, CPF_HTTP_500))
    assert caught.value.message == f"Banco {connector.name} indisponível, tente em instantes"
    assert delta(before, sandbox.calls(), MARGIN_CALL[bank]) == 3  # 1 call + 2 retries


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_submissions_are_never_retried(connect, sandbox, operator, bank):
    connector = connect(bank, max_retries=2)
    before = sandbox.calls()
    with pytest.raises(BankUnavailable):
        connector.submit(submission(fake_option(bank), CPF_HTTP_500, operator))
    assert delta(before, sandbox.calls(), SUBMIT_CALL[bank]) == 1


@pytest.mark.parametrize("bank", API_BANKS)
def test_malformed_json(connect, bank):
    with pytest.raises(MalformedResponse) as caught:
        connect(bank, max_retries=0).benefit_query(margin_request(bank, CPF_MALFORMED))
    assert "Resposta inválida" in caught.value.message


def test_connection_refused_is_unavailable(connect, settings_for):
    connector = connect("facta", base_url="http://127.0.0.1:9/facta", max_retries=0)
    with pytest.raises(BankUnavailable, match="Banco Facta indisponível"):
        connector.benefit_query(margin_request("facta", CPF_MARGIN_OK))


@pytest.mark.parametrize("bank", ["facta", "c6", "master"])
def test_expired_token_is_refreshed_once_transparently(connect, sandbox, bank):
    connector = connect(bank)
    before = sandbox.calls()
    result = connector.benefit_query(margin_request(bank, CPF_EXPIRED_TOKEN))
    after = sandbox.calls()
    assert result.state is BenefitState.ACTIVE
    assert delta(before, after, TOKEN_CALL[bank]) == 2  # first token, then the refresh
    assert delta(before, after, MARGIN_CALL[bank]) == 2  # 401, then the good answer


@pytest.mark.parametrize("bank", ["facta", "c6", "master"])
def test_token_is_reused_between_calls(connect, sandbox, bank):
    connector = connect(bank)
    before = sandbox.calls()
    for _ in range(3):
        connector.benefit_query(margin_request(bank, CPF_MARGIN_OK))
    assert delta(before, sandbox.calls(), TOKEN_CALL[bank]) == 1


@pytest.mark.parametrize("bank", API_BANKS)
def test_circuit_opens_answers_at_once_and_closes_after_cool_down(connect, sandbox, bank):
    clock = FakeClock()  # the breaker's state lives in the store: its clock is the breaker's
    connector = connect(
        bank, with_store=MemoryStore(clock=clock), max_retries=0, breaker_threshold=3, breaker_cooldown_s=30
    )
    for _ in range(3):
        with pytest.raises(BankUnavailable):
            connector.benefit_query(margin_request(bank, CPF_HTTP_500))
    assert connector.http.breaker.state == "open"

    before = sandbox.calls()
    with pytest.raises(BankUnavailable, match="indisponível, tente em instantes"):
        connector.benefit_query(margin_request(bank, CPF_MARGIN_OK))
    assert sandbox.calls() == before  # answered at once: nothing reached the bank
    clock.now += 29
    assert connector.http.breaker.state == "open"

    clock.now += 2
    assert connector.http.breaker.state == "half_open"
    assert connector.benefit_query(margin_request(bank, CPF_MARGIN_OK)).state == "active"
    assert connector.http.breaker.state == "closed"


def test_failed_probe_reopens_the_circuit(connect, sandbox):
    clock = FakeClock()
    connector = connect(
        "facta",
        with_store=MemoryStore(clock=clock),
        max_retries=0,
        breaker_threshold=2,
        breaker_cooldown_s=30,
    )
    for _ in range(2):
        with pytest.raises(BankUnavailable):
            connector.benefit_query(margin_request("facta", CPF_HTTP_500))
    clock.now += 31
    assert connector.http.breaker.state == "half_open"
    before = sandbox.calls().get(MARGIN_CALL["facta"], 0)
    with pytest.raises(BankUnavailable):
        connector.benefit_query(margin_request("facta", CPF_HTTP_500))  # the probe fails
    assert sandbox.calls()[MARGIN_CALL["facta"]] == before + 1  # the probe did reach the bank
    assert connector.http.breaker.state == "open"


def test_business_refusals_do_not_open_the_circuit(connect):
    connector = connect("facta", breaker_threshold=2)
    for _ in range(3):
        connector.benefit_query(margin_request("facta", CPF_BLOCKED))
    assert connector.http.breaker.state == "closed"


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_duplicate_submit_with_same_key_creates_one_proposal(connect, operator, bank):
    connector = connect(bank)
    key = uuid.uuid4().hex
    first = simulate_and_submit(connector, CPF_MARGIN_OK, operator, key=key)
    again = simulate_and_submit(connector, CPF_MARGIN_OK, operator, key=key)
    assert first.bank_proposal_number == again.bank_proposal_number


@pytest.mark.parametrize("bank", SUBMITTING_BANKS)
def test_accepted_then_timeout_is_an_unconfirmed_submission(connect, sandbox, operator, bank):
    connector = connect(bank, read_timeout=1.0)
    key = uuid.uuid4().hex
    before = sandbox.calls()
    with pytest.raises(BankTimeout) as caught:
        simulate_and_submit(connector, CPF_ACCEPTED_THEN_TIMEOUT, operator, key=key)
    assert caught.value.after_send is True
    assert "pode ter sido registrada" in caught.value.message
    final_call = {
        "facta": "POST /facta/proposta/etapa3-proposta-cadastro",
        "daycoval": SUBMIT_CALL["daycoval"],
        "c6": SUBMIT_CALL["c6"],
    }[bank]
    assert delta(before, sandbox.calls(), final_call) == 1  # not re-sent
    found = sandbox.control("GET", "/proposals", params={"bank": bank, "idempotency_key": key})
    assert found.status_code == 200  # the bank did register it: reconcile, don't re-submit
