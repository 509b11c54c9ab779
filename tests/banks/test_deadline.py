"""A lookup the agent waits on ends within the bank's read timeout, retries included.

Before: with Facta's 3 s / 15 s and a bank answering after 25 s, a margin lookup was tried
three times, each waiting the full read timeout (the card said "não respondeu a tempo" after
46 s). Now every attempt gets what is left of one budget and no retry starts without time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from portal.banks import calls
from portal.banks.errors import BankTimeout, BankUnavailable
from portal.banks.http import BankHttp
from portal.banks.state import MemoryStore
from portal.banks.types import BankSettings, Capability
from sandbox_bank.scenarios import CPF_SLOW
from tests.banks.helpers import MARGIN_CALL, TOKEN_CALL, margin_request


@dataclass
class ScriptedBank:
    """A `requests.Session` stand-in on a fake clock: each attempt takes `costs[i]` seconds
    (capped by the read timeout it is given) and answers 500, or times out when capped."""

    costs: list[float]
    now: float = 100.0
    headers: dict[str, str] = field(default_factory=dict)
    read_timeouts: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def request(self, method: str, url: str, *, timeout: tuple[float, float], **_: Any) -> Any:
        read = timeout[1]
        self.read_timeouts.append(round(read, 6))
        cost = self.costs[len(self.read_timeouts) - 1]
        if cost >= read:
            self.now += read
            raise requests.exceptions.ReadTimeout()
        self.now += cost
        response = requests.Response()
        response.status_code = 500
        return response


def _http(bank: ScriptedBank) -> BankHttp:
    settings = BankSettings(
        code="facta",
        name="Facta",
        base_url="http://banco.invalid",
        connect_timeout=3.0,
        read_timeout=15.0,
        max_retries=2,
        retry_backoff_s=0.5,
        breaker_threshold=99,
    )
    return BankHttp(settings, MemoryStore(clock=bank.clock), session=bank, sleep=bank.sleep, clock=bank.clock)


def test_a_bank_answering_after_25_s_times_out_once_at_15_s_not_after_46():
    bank = ScriptedBank(costs=[25.0, 25.0, 25.0])
    http = _http(bank)

    with pytest.raises(BankTimeout), http.deadline(15.0):
        http.call("GET", "/proposta/consulta-margem", Capability.BENEFIT_QUERY)

    assert bank.read_timeouts == [15.0]  # one attempt: no time was left to retry
    assert bank.now - 100.0 == 15.0


def test_retries_share_the_budget_and_each_waits_only_what_is_left():
    # 500 after 4 s, back-off 0.5 s, 500 after 6 s, back-off 1 s: 3.5 s are left.
    bank = ScriptedBank(costs=[4.0, 6.0, 25.0])
    http = _http(bank)

    with pytest.raises(BankTimeout), http.deadline(15.0):
        http.call("GET", "/proposta/consulta-margem", Capability.BENEFIT_QUERY)

    assert bank.read_timeouts == [15.0, 10.5, 3.5]
    assert bank.now - 100.0 == 15.0


def test_a_fast_failing_bank_is_still_retried_within_the_budget():
    bank = ScriptedBank(costs=[0.1, 0.1, 0.1])
    http = _http(bank)

    with pytest.raises(BankUnavailable), http.deadline(15.0):
        http.call("GET", "/proposta/consulta-margem", Capability.BENEFIT_QUERY)

    assert bank.read_timeouts == [15.0, 14.4, 13.3]


def test_without_a_deadline_background_calls_keep_their_full_retries():
    bank = ScriptedBank(costs=[25.0, 25.0, 25.0])
    http = _http(bank)

    with pytest.raises(BankTimeout):
        http.call("GET", "/proposta/andamento", Capability.FETCH_STATUS)

    assert bank.read_timeouts == [15.0, 15.0, 15.0]


def test_slow_sandbox_bank_gets_one_attempt_within_the_read_timeout(connect, sandbox):
    """The sandbox answers CPF_SLOW after 2 s; the read timeout is 1 s with 2 retries."""
    connector = connect("facta", read_timeout=1.0, connect_timeout=1.0, max_retries=2)
    read_timeouts: list[tuple[str, float]] = []
    send = connector.http.session.request

    def spy(method: str, url: str, **kwargs: Any) -> Any:
        read_timeouts.append((url.rsplit("/", 1)[-1], kwargs["timeout"][1]))
        return send(method, url, **kwargs)

    connector.http.session.request = spy
    before = sandbox.calls()

    outcome = calls.margin_lookup(connector, margin_request("facta", CPF_SLOW))

    assert outcome.outcome == "timeout"
    assert outcome.message == "Banco Facta não respondeu a tempo, tente em instantes"
    after = sandbox.calls()
    assert after[MARGIN_CALL["facta"]] - before.get(MARGIN_CALL["facta"], 0) == 1  # was 3
    assert after[TOKEN_CALL["facta"]] - before.get(TOKEN_CALL["facta"], 0) == 1
    (token_path, token_read), (margin_path, margin_read) = read_timeouts
    assert (token_path, margin_path) == ("gera-token", "consulta-margem")
    # One budget of 1 s: the token request started with all of it, the lookup with the rest.
    assert token_read <= 1.0 and margin_read < token_read
