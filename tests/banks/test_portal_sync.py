"""Status polling: changes land in the inbox once, however often the bank is asked."""

from __future__ import annotations

from sqlalchemy import select

from portal.banks import sync
from portal.banks.models import WebhookEvent
from portal.banks.state import MemoryStore
from portal.banks.types import Capability
from sandbox_bank.scenarios import CPF_MARGIN_OK
from tests import factories
from tests.banks.helpers import CREDENTIALS


def _bank(db, sandbox, code, **fields):
    return factories.bank(
        db,
        code,
        base_url=f"{sandbox.url}/{code}",
        credentials=CREDENTIALS[code],
        capabilities=[Capability.FETCH_STATUS, Capability.SUBMIT],
        **fields,
    )


def test_polled_changes_are_stored_once(db, sandbox):
    bank = _bank(db, sandbox, "daycoval")
    seeded = sandbox.control("POST", "/proposals", json={"bank": "daycoval", "cpf": CPF_MARGIN_OK}).json()
    sandbox.control("POST", f"/proposals/{seeded['number']}/advance")
    store = MemoryStore()

    first = sync.poll_bank(db, bank, store)
    second = sync.poll_bank(db, bank, store)

    assert first.error is None and first.stored >= 1
    assert second.error is None and second.stored == 0
    mine = [
        e.payload[0]
        for e in db.scalars(select(WebhookEvent).where(WebhookEvent.bank_code == "daycoval"))
        if e.payload[0]["number"] == seeded["number"]
    ]
    assert {row["status"] for row in mine} == {"EM ANALISE"}
    assert bank.status_synced_at is not None


def test_unreachable_bank_is_reported_not_raised(db):
    bank = factories.bank(db, "c6", base_url="http://127.0.0.1:9/c6", capabilities=[Capability.FETCH_STATUS])
    result = sync.poll_bank(db, bank, MemoryStore())
    assert result.error == "Banco C6 indisponível, tente em instantes"
    assert bank.status_synced_at is None


def test_only_enabled_banks_with_status_api_are_polled(db):
    factories.bank(db, "facta")
    factories.bank(db, "c6", enabled=False)
    factories.bank(db, "bradesco", capabilities=[Capability.FILE_ONLY])
    assert [b.code for b in sync.pollable_banks(db)] == ["facta"]
