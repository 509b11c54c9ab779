"""Shared state (memory and Redis), token sharing between processes, and log hygiene."""

from __future__ import annotations

import logging
import secrets
import time

import pytest
import redis

from portal.banks.errors import BankUnavailable
from portal.banks.http import mask_path
from portal.banks.resilience import TokenCache
from portal.banks.state import MemoryStore
from portal.banks.types import SimulationRequest
from sandbox_bank import scenarios
from tests.banks.helpers import (
    CERTIFIED_CPF,
    CREDENTIALS,
    MARGIN_CALL,
    TOKEN_CALL,
    FakeClock,
    margin_request,
    simulate_and_submit,
    simulation_request,
)


def test_memory_store_expires_counts_and_sets_once():
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    store.set("a", "1", ttl_s=10)
    assert store.set_if_absent("a", "2") is False
    assert store.incr("n", ttl_s=5) == 1 and store.incr("n") == 2
    clock.now += 10
    assert store.get("a") is None and store.get("n") is None
    assert store.set_if_absent("a", "3") is True and store.get("a") == "3"
    store.delete("a", "missing")
    assert store.get("a") is None


def test_redis_store_same_contract(redis_store):
    store = redis_store()
    store.set("a", "1", ttl_s=0.2)
    assert store.get("a") == "1"
    assert store.set_if_absent("a", "2", ttl_s=5) is False
    assert store.incr("n", ttl_s=5) == 1 and store.incr("n", ttl_s=5) == 2
    time.sleep(0.3)
    assert store.get("a") is None
    assert store.set_if_absent("a", "2") is True
    store.delete("a", "n")
    assert store.get("a") is None and store.get("n") is None


def test_token_cache_keeps_tokens_a_little_less_than_their_lifetime():
    cache = TokenCache(MemoryStore())
    assert cache.ttl_for(3600) == 3540
    assert cache.ttl_for(1200) == 1140
    assert 0 < cache.ttl_for(30) < 30


def test_redis_shares_the_token_between_two_app_servers(connect, sandbox, redis_store):
    first = connect("c6", with_store=redis_store())
    second = connect("c6", with_store=redis_store())  # another process: own client and session
    before = sandbox.calls()
    first.benefit_query(margin_request("c6", scenarios.CPF_MARGIN_OK))
    second.benefit_query(margin_request("c6", scenarios.CPF_MARGIN_OK))
    after = sandbox.calls()
    assert after[TOKEN_CALL["c6"]] - before.get(TOKEN_CALL["c6"], 0) == 1


def test_redis_shares_the_open_circuit(connect, sandbox, redis_store):
    first = connect("facta", with_store=redis_store(), max_retries=0, breaker_threshold=2)
    second = connect("facta", with_store=redis_store(), max_retries=0, breaker_threshold=2)
    for _ in range(2):
        with pytest.raises(BankUnavailable):
            first.benefit_query(margin_request("facta", scenarios.CPF_HTTP_500))
    before = sandbox.calls()
    with pytest.raises(BankUnavailable):
        second.benefit_query(margin_request("facta", scenarios.CPF_MARGIN_OK))
    assert sandbox.calls().get(MARGIN_CALL["facta"]) == before.get(MARGIN_CALL["facta"])


def test_mask_path_hides_cpfs_and_query_strings():
    assert mask_path("/clt/ofertas/10011111178") == "/clt/ofertas/***"
    assert mask_path("/x/100.111.111-78/y") == "/x/***/y"
    assert mask_path("/beneficio/1234567890") == "/beneficio/***"
    assert mask_path("/proposta/consulta-margem?cpf=10011111178") == "/proposta/consulta-margem"
    assert mask_path("/clt/propostas/C60001001") == "/clt/propostas/C60001001"


def test_logs_never_contain_cpfs_tokens_or_secrets(connect, operator, store, caplog):
    caplog.set_level(logging.DEBUG, logger="portal.banks")
    cpfs = [scenarios.CPF_MARGIN_OK, scenarios.CPF_HTTP_500, scenarios.CPF_EXPIRED_TOKEN]
    # Random secrets: a fixed word such as "athenas" also appears in every log record's
    # path when the checkout's directory is named after the project.
    banks = ("facta", "daycoval", "c6")
    credentials = {bank: {key: secrets.token_hex(12) for key in CREDENTIALS[bank]} for bank in banks}
    for bank in banks:
        connector = connect(bank, max_retries=1, credentials=credentials[bank])
        connector.benefit_query(margin_request(bank, scenarios.CPF_MARGIN_OK))
        connector.benefit_query(margin_request(bank, scenarios.CPF_EXPIRED_TOKEN))
        simulate_and_submit(connector, scenarios.CPF_MARGIN_OK, operator)
        with pytest.raises(BankUnavailable):
            connector.benefit_query(margin_request(bank, scenarios.CPF_HTTP_500))
    tokens = [value for key, (value, _) in store._data.items() if key.startswith("token:")]
    assert len(tokens) == 2  # facta and c6 tokens were cached (and must not be logged)
    secret_values = [v for creds in credentials.values() for v in creds.values()]

    records = [r for r in caplog.records if r.name == "portal.banks"]
    assert len(records) > 15
    assert any("/clt/autorizacoes/***" in r.getMessage() for r in records)
    for record in records:
        text = record.getMessage() + repr(record.__dict__)
        for cpf in [*cpfs, CERTIFIED_CPF]:
            assert cpf not in text
            assert f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" not in text
        for secret in [*tokens, *secret_values, "1234567890"]:
            assert secret not in text
    outcomes = {r.outcome for r in records}
    assert {"ok", "server_error", "unauthorized"} <= outcomes
    # Each call names its bank and capability and measures its latency.
    assert {r.bank for r in records} == {"facta", "daycoval", "c6"}
    assert {"benefit_query", "simulate", "submit"} <= {r.capability for r in records}
    assert all(isinstance(r.latency_ms, int) and r.latency_ms >= 0 for r in records)
    assert all("latency_ms=" in r.getMessage() for r in records)


def test_personal_data_stays_out_of_reprs():
    request = SimulationRequest(
        product=simulation_request("facta", scenarios.CPF_MARGIN_OK).product,
        agreement="INSS",
        cpf=scenarios.CPF_MARGIN_OK,
        term_months=84,
        installment=simulation_request("facta", scenarios.CPF_MARGIN_OK).requested_amount,
    )
    assert scenarios.CPF_MARGIN_OK not in repr(request)
    assert scenarios.CPF_MARGIN_OK not in repr(margin_request("facta", scenarios.CPF_MARGIN_OK))


def test_simulation_request_needs_exactly_one_of_amount_or_installment():
    base = simulation_request("facta", scenarios.CPF_MARGIN_OK)
    with pytest.raises(ValueError, match="apenas um"):
        SimulationRequest(
            product=base.product,
            agreement="INSS",
            cpf=base.cpf,
            term_months=84,
            requested_amount=base.requested_amount,
            installment=base.requested_amount,
        )


def test_scenario_cpfs_are_valid_and_distinct():
    cpfs = [value for name, value in vars(scenarios).items() if name.startswith("CPF_")]
    assert len(cpfs) == len(set(cpfs)) == 12
    assert all(scenarios.is_valid_cpf(cpf) for cpf in cpfs)
    assert not scenarios.is_valid_cpf("10011111179")
    assert scenarios.scenario_for("100.222.222-27") == "blocked"
    assert scenarios.margins_for(scenarios.CPF_MARGIN_OK) != scenarios.margins_for(CERTIFIED_CPF)


def test_redis_fixture_uses_the_server_redis_url_names(monkeypatch, request):
    from tests.banks.conftest import redis_url_for_tests

    server = redis.Redis.from_url(redis_url_for_tests()).connection_pool.connection_kwargs
    host, port = server["host"], server["port"]
    monkeypatch.setenv("REDIS_URL", f"redis://{host}:{port}/5")
    store = request.getfixturevalue("redis_store")()

    store.set("probe", "1", ttl_s=30)

    assert redis.Redis(host=host, port=port, db=5).get(store._prefix + "probe") == b"1"
