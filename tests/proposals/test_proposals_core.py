"""Proposals core: idempotent creation, status moves with events, optimistic locking,
bank status mapping with needs-review and sub-status protection, scoping."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.core.audit import SYSTEM, Actor
from portal.core.errors import Conflict, DomainError, NotFound
from portal.proposals.mapping import apply_bank_status, set_mapping
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.queries import events_of, get_proposal_for, proposals_for
from portal.proposals.services import change_status
from portal.proposals.statuses import Status
from tests import factories

OPERATOR = Actor(id=None, label="operador@teste")


@pytest.fixture
def setup(db):
    store = factories.org_unit(db, "store", "Loja Centro")
    team = factories.org_unit(db, "team", "Equipe 1", store)
    agent_user = factories.user(db, role="agent")
    agent = factories.collaborator(db, agent_user, team)
    client = factories.client(db, agent)
    return store, team, agent_user, agent, client


def test_creation_freezes_team_and_store_and_is_idempotent(db, setup):
    store, team, _, agent, client = setup
    first = factories.proposal(db, client, idempotency_key="abc-123")
    again = factories.proposal(db, client, idempotency_key="abc-123", gross_amount=99)
    assert again.id == first.id
    assert db.scalar(select(Proposal.id).where(Proposal.idempotency_key == "abc-123")) == first.id
    assert (first.team_id, first.store_id) == (team.id, store.id)
    assert first.submitted_at is not None
    assert [e.to_status for e in events_of(db, first)] == ["submitted"]


def test_bad_input_is_refused(db, setup):
    client = setup[4]
    with pytest.raises(DomainError, match="valor bruto"):
        factories.proposal(db, client, gross_amount=0)
    with pytest.raises(DomainError, match="Produto inválido"):
        factories.proposal(db, client, product="casa-propria")


def test_status_moves_write_events_and_stamp_dates(db, setup):
    proposal = factories.proposal(db, setup[4])
    for target in (
        "waiting_signature",
        "signed",
        "under_analysis",
        "awaiting_endorsement",
        "endorsed",
        "paid",
    ):
        change_status(db, OPERATOR, proposal, target)
    assert proposal.status == "paid"
    assert proposal.signed_at and proposal.endorsed_at and proposal.paid_at and proposal.approved_at
    history = [(e.from_status, e.to_status) for e in events_of(db, proposal)]
    assert history[-1] == ("endorsed", "paid") and len(history) == 7
    with pytest.raises(DomainError, match="Não é possível passar"):
        change_status(db, OPERATOR, proposal, "submitted")


def test_stale_screen_is_refused(db, setup):
    proposal = factories.proposal(db, setup[4])
    seen = proposal.version
    change_status(db, OPERATOR, proposal, "waiting_signature")
    with pytest.raises(Conflict, match="alterada por outra pessoa"):
        change_status(db, OPERATOR, proposal, "pending", reason="doc", expected_version=seen)


def test_concurrent_sessions_one_wins(db, setup):
    """Two operators load the same proposal; the second flush hits the version check."""
    proposal = factories.proposal(db, setup[4])
    db.commit()  # release the SAVEPOINT so the other session sees the row
    other = Session(bind=db.connection(), join_transaction_mode="create_savepoint")
    mine = db.get(Proposal, proposal.id)
    theirs = other.get(Proposal, proposal.id)
    change_status(other, OPERATOR, theirs, "waiting_signature")
    other.commit()
    with pytest.raises(StaleDataError):
        change_status(db, OPERATOR, mine, "under_analysis")
    db.rollback()
    other.close()


def test_bank_status_mapping_and_needs_review(db, setup):
    proposal = factories.proposal(db, setup[4])
    event = apply_bank_status(db, SYSTEM, proposal, "aguardando assinatura digital")
    assert proposal.needs_review and proposal.status == "submitted"
    assert event.details == {"unmapped": True}
    set_mapping(
        db, "facta", "AGUARDANDO ASSINATURA DIGITAL", Status.WAITING_SIGNATURE, "Link enviado por SMS"
    )
    apply_bank_status(db, SYSTEM, proposal, "Aguardando  assinatura digital")
    assert proposal.status == "waiting_signature" and not proposal.needs_review
    assert proposal.sub_status == "Link enviado por SMS"
    assert apply_bank_status(db, SYSTEM, proposal, "AGUARDANDO ASSINATURA DIGITAL") is None  # idempotent


def test_human_sub_status_survives_sync(db, setup):
    proposal = factories.proposal(db, setup[4])
    change_status(
        db, OPERATOR, proposal, "pending", reason="Falta selfie", sub_status="Cliente vai enviar selfie"
    )
    set_mapping(db, "facta", "PENDENTE DOCUMENTACAO", Status.PENDING, "Documentação")
    apply_bank_status(db, SYSTEM, proposal, "PENDENTE DOCUMENTACAO")
    assert proposal.sub_status == "Cliente vai enviar selfie"


def test_bank_status_that_the_machine_refuses_goes_to_review(db, setup):
    proposal = factories.proposal(db, setup[4])
    set_mapping(db, "facta", "PAGO", Status.PAID)
    event = apply_bank_status(db, SYSTEM, proposal, "PAGO")
    assert proposal.status == "submitted" and proposal.needs_review
    assert "Não é possível passar" in event.details["refused"]


def test_scoping(db, setup):
    _, team, agent_user, agent, client = setup
    mine = factories.proposal(db, client)
    stranger = factories.collaborator(db, None, factories.org_unit(db, "team"))
    theirs = factories.proposal(db, factories.client(db, stranger))
    visible = set(db.scalars(proposals_for(db, agent_user).with_only_columns(Proposal.id)))
    assert mine.id in visible and theirs.id not in visible
    with pytest.raises(NotFound):
        get_proposal_for(db, agent_user, theirs.id)
    ops = factories.user(db, role="operations")
    assert get_proposal_for(db, ops, theirs.id).id == theirs.id
    assert db.scalar(select(ProposalEvent.id).where(ProposalEvent.proposal_id == theirs.id)) is not None
