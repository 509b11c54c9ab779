"""Twenty submissions while the sandbox bank flaps (errors and timeouts in turns): every
answer comes within its deadline and, once the bank is steady again and the agent retries
what the portal told them to retry, every simulation ends with exactly one proposal at the
portal and at the bank, under the same number — none lost, none doubled."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import select

from portal.banks.models import BankSimulation
from portal.banks.service import default_store
from portal.proposals import bank_sync
from portal.proposals.models import Proposal
from portal.proposals.statuses import Status
from tests import factories
from tests.banks.portal_fixtures import hx_post, make_seller, sandbox_banks

pytestmark = pytest.mark.faults

BANK = "daycoval"
DEADLINE_S = 1.0 + 2.0  # the read timeout plus slack for rendering on a loaded machine
COOLDOWN_S = 2.0
HOLD_S = 5.0  # the sandbox holds a "timeout" call this long, then registers it anyway
SIMULATION = {"product": "new", "mode": "amount", "requested_amount": "5.000,00", "term_months": "84"}
# Faults in turns: two good calls, two errors, one timeout...
TURNS = [None, None, "error", "error", "timeout"]


def _cpf(base: int) -> str:
    """A valid CPF from nine digits (the check digits computed by the public rule)."""
    digits = [int(c) for c in f"{base:09d}"]
    for length in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(length + 1, 1, -1), strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def test_flapping_bank_loses_and_doubles_no_proposal(client, db, login_as, sandbox, closed_breaker):
    closed_breaker(BANK)
    seller = make_seller(db, login_as)
    sandbox_banks(db, sandbox, breaker_threshold=3, breaker_cooldown_s=COOLDOWN_S)
    simulations = []
    for n in range(20):
        customer = factories.selling_client(db, seller.collaborator, _cpf(318_400_100 + 37 * n))
        page = f"/sales/clients/{customer.id}/simulate"
        answer = hx_post(client, page, {**SIMULATION, "banks": [BANK]}, token_page=page)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        simulation = db.scalar(select(BankSimulation).where(BankSimulation.client_id == customer.id))
        index = next(i for i, o in enumerate(simulation.options) if o["bank"] == BANK)
        simulations.append((customer, simulation, index))

    def submit(customer, simulation, index) -> str:
        page = f"/sales/clients/{customer.id}/simulate"
        started = time.monotonic()
        response = hx_post(
            client,
            f"/sales/clients/{customer.id}/proposals",
            {"simulation_id": simulation.id, "option": index},
            token_page=page,
        )
        assert time.monotonic() - started < DEADLINE_S
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_data(as_text=True)

    answers = []
    try:
        for n, (customer, simulation, index) in enumerate(simulations):
            mode = TURNS[n % len(TURNS)]
            if n and n % len(TURNS) == 0:
                time.sleep(COOLDOWN_S + 0.3)  # the circuit opened by the last spell half-opens
            sandbox.control("POST", "/config", json={"fault_mode": mode})
            answers.append(submit(customer, simulation, index))
    finally:
        sandbox.control("POST", "/config", json={"fault_mode": None})
    kinds = Counter(
        "submitted"
        if "Proposta digitada" in a
        else "unconfirmed"
        if "não confirmou a digitação a tempo" in a
        else "retry"
        if "tente digitar novamente" in a
        else "other"
        for a in answers
    )
    # Per turn of five: two submitted, two errors never sent (retry allowed), and a timeout
    # the bank registered after the portal stopped waiting (unconfirmed, left to the sync).
    assert kinds == {"submitted": 8, "retry": 8, "unconfirmed": 4}, answers

    # The bank is steady again: its held calls finish, the sync resolves the unconfirmed
    # ones, and the agent retries the ones the portal said were never sent.
    time.sleep(HOLD_S + COOLDOWN_S)
    rounds = 0

    def unconfirmed() -> int:
        return len(
            db.scalars(select(Proposal).where(Proposal.status == Status.SUBMISSION_UNCONFIRMED.value)).all()
        )

    while unconfirmed() and rounds < 20:  # the periodic sync, run by hand
        bank_sync.run_sync(db, default_store())
        rounds += 1
        if unconfirmed():
            time.sleep(0.5)
    assert unconfirmed() == 0
    for customer, simulation, index in simulations:
        proposal = db.scalar(select(Proposal).where(Proposal.idempotency_key == simulation.idempotency_key))
        if proposal.status == Status.SIMULATED.value:
            assert "Proposta digitada" in submit(customer, simulation, index)

    proposals = db.scalars(select(Proposal)).all()
    assert len(proposals) == 20
    by_key = {p.idempotency_key: p for p in proposals}
    assert set(by_key) == {s.idempotency_key for _, s, _ in simulations}
    numbers = [p.bank_proposal_number for p in proposals]
    assert None not in numbers and len(set(numbers)) == 20
    for _, simulation, _ in simulations:
        at_bank = sandbox.control(
            "GET", "/proposals", params={"bank": BANK, "idempotency_key": simulation.idempotency_key}
        ).json()
        assert at_bank["number"] == by_key[simulation.idempotency_key].bank_proposal_number
        assert by_key[simulation.idempotency_key].status == Status.WAITING_SIGNATURE.value
