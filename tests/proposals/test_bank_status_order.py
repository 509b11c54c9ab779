"""Bank statuses arriving out of order: an older report never overwrites a newer one.

Banks (and the sandbox) deliver webhooks from separate threads, and a poll can bring a
change after the webhook of a later one; the bank's own moment decides.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.banks import inbox
from portal.banks.types import Capability, StatusUpdate
from portal.banks.webhooks import signed_headers
from portal.core.audit import SYSTEM
from portal.proposals import bank_sync
from portal.proposals.mapping import apply_bank_status, set_mapping
from portal.proposals.models import ProposalEvent
from portal.proposals.statuses import Status
from tests import factories
from tests.banks.helpers import WEBHOOK_SECRET

AT_0600 = datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
AT_0605 = datetime(2026, 1, 10, 6, 5, tzinfo=UTC)
AT_0610 = datetime(2026, 1, 10, 6, 10, tzinfo=UTC)


@pytest.fixture
def proposal(db):
    team = factories.org_unit(db, "team", "Equipe 1", factories.org_unit(db, "store", "Loja"))
    agent = factories.collaborator(db, factories.user(db, role="agent"), team)
    factories.bank(
        db,
        "daycoval",
        credentials={"apikey": "k"},
        capabilities=[Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK],
        webhook_secret=WEBHOOK_SECRET,
    )
    set_mapping(db, "daycoval", "PENDENTE DOCUMENTACAO", Status.PENDING, "Documentação")
    set_mapping(db, "daycoval", "EM ANALISE", Status.UNDER_ANALYSIS)
    return factories.proposal(
        db, factories.client(db, agent), bank_code="daycoval", bank_proposal_number="DC0001001"
    )


def _events(db, proposal) -> int:
    return db.scalar(select(func.count()).where(ProposalEvent.proposal_id == proposal.id))


def test_an_older_status_delivered_late_is_ignored(db, proposal):
    apply_bank_status(db, SYSTEM, proposal, "EM ANALISE", occurred_at=AT_0605)
    assert proposal.status == "under_analysis"
    assert proposal.bank_status_at == AT_0605
    before = _events(db, proposal)

    stale = apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO", occurred_at=AT_0600)

    assert stale is None
    assert proposal.status == "under_analysis" and proposal.bank_status == "EM ANALISE"
    assert not proposal.needs_review
    assert proposal.bank_status_at == AT_0605
    assert _events(db, proposal) == before  # nothing recorded on the proposal


def test_statuses_in_order_still_apply(db, proposal):
    apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO", occurred_at=AT_0600)
    apply_bank_status(db, SYSTEM, proposal, "EM ANALISE", occurred_at=AT_0605)
    assert proposal.status == "under_analysis" and proposal.bank_status_at == AT_0605


def test_a_repeated_status_moves_the_moment_forward(db, proposal):
    """06:00 pending, 06:10 pending again, then the 06:05 analysis arrives: pending is newest."""
    apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO", occurred_at=AT_0600)
    apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO", occurred_at=AT_0610)
    apply_bank_status(db, SYSTEM, proposal, "EM ANALISE", occurred_at=AT_0605)
    assert proposal.status == "pending" and proposal.bank_status_at == AT_0610


def test_a_report_without_a_moment_applies_as_before(db, proposal):
    apply_bank_status(db, SYSTEM, proposal, "EM ANALISE", occurred_at=AT_0605)
    apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO")  # e.g. a spreadsheet import
    assert proposal.status == "pending" and proposal.bank_status_at == AT_0605


def test_polled_updates_out_of_order_keep_the_newest(db, proposal):
    def poll(status: str, at: datetime) -> None:
        update = StatusUpdate("daycoval", "DC0001001", status, at)
        event = inbox.receive(db, "daycoval", f"poll:{uuid.uuid4().hex}", [update])
        bank_sync.apply_event(db, event)

    poll("EM ANALISE", AT_0605)
    poll("PENDENTE DOCUMENTACAO", AT_0600)

    assert proposal.status == "under_analysis" and proposal.bank_status == "EM ANALISE"


def _webhook(client, status: str, at: datetime):
    body = json.dumps(
        {
            "evento": "SITUACAO_PROPOSTA",
            "numeroProposta": "DC0001001",
            "situacao": status,
            "dataHoraSituacao": at.isoformat(),
            "observacao": "",
        }
    ).encode()
    headers = signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time())
    return client.post("/api/banks/daycoval/webhook", data=body, headers=headers)


def test_webhooks_out_of_order_keep_the_newest(client, db, proposal):
    assert _webhook(client, "EM ANALISE", AT_0605).status_code == 200
    assert _webhook(client, "PENDENTE DOCUMENTACAO", AT_0600).status_code == 200

    db.refresh(proposal)
    assert proposal.status == "under_analysis" and proposal.bank_status == "EM ANALISE"
    assert proposal.bank_status_at == AT_0605
