"""A submission whose answer was lost is found again at the bank by our idempotency key."""

from __future__ import annotations

import uuid

import pytest

from portal.banks.errors import BankTimeout, UnsupportedCapability
from sandbox_bank.scenarios import CPF_ACCEPTED_THEN_TIMEOUT, CPF_MARGIN_OK
from tests.banks.helpers import simulate_and_submit

BANKS = ["facta", "daycoval", "c6"]


@pytest.mark.parametrize("bank", BANKS)
def test_unconfirmed_submission_is_found_by_its_key(connect, operator, sandbox, bank):
    connector = connect(bank, read_timeout=1.0)
    key = uuid.uuid4().hex

    with pytest.raises(BankTimeout) as lost:
        simulate_and_submit(connector, CPF_ACCEPTED_THEN_TIMEOUT, operator, key)
    assert lost.value.after_send is True

    found = connector.find_by_idempotency_key(key)
    assert found is not None and found.confirmed
    registered = sandbox.control("GET", "/proposals", params={"bank": bank, "idempotency_key": key}).json()
    assert found.bank_proposal_number == registered["number"]
    assert found.bank_status == registered["status"]


@pytest.mark.parametrize("bank", BANKS)
def test_unknown_key_means_the_bank_has_no_proposal(connect, bank):
    assert connect(bank).find_by_idempotency_key(uuid.uuid4().hex) is None


@pytest.mark.parametrize("bank", BANKS)
def test_confirmed_submission_and_lookup_agree(connect, operator, bank):
    connector = connect(bank)
    key = uuid.uuid4().hex
    result = simulate_and_submit(connector, CPF_MARGIN_OK, operator, key)
    assert connector.find_by_idempotency_key(key).bank_proposal_number == result.bank_proposal_number


@pytest.mark.parametrize("bank", ["master", "bradesco"])
def test_banks_without_submission_cannot_look_keys_up(connect, bank):
    with pytest.raises(UnsupportedCapability):
        connect(bank).find_by_idempotency_key("x")
