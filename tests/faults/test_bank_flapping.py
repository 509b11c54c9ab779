"""The sandbox bank flapping — errors and timeouts in turns with good spells between — under
100 margin lookups: every card answers within its deadline, the circuit breaker opens on
each bad spell (later cards answer at once without calling the bank) and closes again on
the next good one; every lookup is recorded once."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from portal.clients.models import ClientEvent
from sandbox_bank.scenarios import CPF_MARGIN_OK
from tests import factories
from tests.banks.helpers import MARGIN_CALL
from tests.banks.portal_fixtures import hx_post, make_seller, sandbox_banks

pytestmark = pytest.mark.faults

BANK = "daycoval"
# The bank row's read timeout: the whole card's budget. 2 s, not the factories' 1 s: on a
# loaded CI machine a quick 500 from the sandbox once took over 1 s and counted as a timeout.
READ_DEADLINE_S = 2.0
SLACK_S = 2.0  # rendering and a loaded CI machine, still far below the 5 s bank hold
COOLDOWN_S = 2.0  # the breaker's cool-down: longer than a bad spell's quick answers take
THRESHOLD = 3  # consecutive failed calls that open the circuit


def _outcome(html: str) -> str:
    match = re.search(r'data-outcome="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def test_flapping_bank_keeps_every_card_on_time_and_the_breaker_cycling(
    client, db, login_as, sandbox, closed_breaker
):
    closed_breaker(BANK)
    seller = make_seller(db, login_as)
    sandbox_banks(
        db, sandbox, read_timeout=READ_DEADLINE_S, breaker_threshold=THRESHOLD, breaker_cooldown_s=COOLDOWN_S
    )
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    path = f"/sales/clients/{customer.id}/lookups/{BANK}"

    def lookup(mode: str | None) -> tuple[str, bool]:
        """One card: its outcome and whether it reached the bank."""
        sent = sandbox.calls().get(MARGIN_CALL[BANK], 0)
        started = time.monotonic()
        response = hx_post(client, path)
        took = time.monotonic() - started
        assert response.status_code == 200
        assert took < READ_DEADLINE_S + SLACK_S, (mode, took)
        reached = sandbox.calls().get(MARGIN_CALL[BANK], 0) > sent
        return _outcome(response.get_data(as_text=True)), reached

    done = 0
    try:
        for cycle in range(10):
            sandbox.control("POST", "/config", json={"fault_mode": None})
            time.sleep(COOLDOWN_S + 0.3)  # the open circuit's cool-down runs out
            # Good spell: the first call is the half-open probe; it succeeds and closes the
            # circuit, so the next ones reach the bank too.
            good = [lookup(None) for _ in range(3)]
            assert good == [("ok", True)] * 3, (cycle, good)
            mode = "error" if cycle % 2 == 0 else "timeout"
            sandbox.control("POST", "/config", json={"fault_mode": mode})
            # Bad spell: THRESHOLD calls reach the failing bank, then the circuit is open and
            # the cards answer at once without calling it.
            bad = [lookup(mode) for _ in range(7)]
            failed = "unavailable" if mode == "error" else "timeout"
            assert bad[:THRESHOLD] == [(failed, True)] * THRESHOLD, (cycle, bad)
            assert bad[THRESHOLD:] == [("unavailable", False)] * (7 - THRESHOLD), (cycle, bad)
            done += len(good) + len(bad)
    finally:
        sandbox.control("POST", "/config", json={"fault_mode": None})

    assert done == 100
    recorded = db.scalar(
        select(func.count()).select_from(ClientEvent).where(ClientEvent.kind == "bank.lookup")
    )
    assert recorded == 100
