"""Operator moves (optimistic lock, review flag), bulk actions, bank status mapping as
the sandbox banks report it (skipped statuses, parked proposals re-applied)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import SYSTEM, Actor
from portal.core.errors import Conflict, DomainError
from portal.proposals import operations, pendencies
from portal.proposals.mapping import apply_bank_status, reapply_parked, set_mapping
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import PendencyType
from portal.proposals.queries import events_of
from portal.proposals.statuses import Status
from tests import factories

OPS = Actor(id=None, label="operador@teste")


def test_move_clears_review_and_refuses_stale_version(db, org):
    proposal = factories.proposal(db, org.client)
    proposal.needs_review = True
    db.flush()
    seen = proposal.version
    operations.move(db, OPS, proposal, "waiting_signature", expected_version=seen)
    assert proposal.status == "waiting_signature" and not proposal.needs_review
    with pytest.raises(Conflict, match="alterada por outra pessoa"):
        operations.move(db, OPS, proposal, "signed", expected_version=seen)
    with pytest.raises(DomainError, match="Informe o motivo"):
        operations.move(db, OPS, proposal, "cancelled")
    assert [e.to_status for e in events_of(db, proposal)] == ["submitted", "waiting_signature"]


def test_concurrent_moves_one_wins_and_no_event_is_lost(db, org):
    proposal = factories.proposal(db, org.client)
    db.commit()  # let the other session see the row
    mine = db.get(Proposal, proposal.id)  # this operator's screen, loaded before the other move
    version = mine.version
    # Same outer connection, but its own SAVEPOINT (db.connection() would nest it in ours).
    other = Session(bind=db.get_bind(), join_transaction_mode="create_savepoint")
    theirs = other.get(Proposal, proposal.id)
    operations.move(other, OPS, theirs, "waiting_signature", expected_version=version)
    other.commit()
    with pytest.raises(Conflict, match="alterada por outra pessoa"):
        operations.move(db, OPS, mine, "under_analysis", expected_version=version)
    db.rollback()
    other.close()
    moves = db.scalars(select(ProposalEvent.to_status).where(ProposalEvent.proposal_id == proposal.id)).all()
    assert moves == ["submitted", "waiting_signature"]


def test_bulk_move_reports_each_failure_and_keeps_the_rest(db, org):
    ok = factories.proposal(db, org.client)
    paid = factories.proposal(db, org.client, status="paid")
    stale = factories.proposal(db, org.client)
    items = [(ok, ok.version), (paid, paid.version), (stale, stale.version - 1)]
    result = operations.bulk_move(db, OPS, items, "pending", "Falta selfie")
    assert result.done == [ok.id]
    failed = dict(result.failed)
    assert "Não é possível passar" in failed[paid.id] and "alterada" in failed[stale.id]
    assert ok.status == "pending" and stale.status == "submitted"
    with pytest.raises(DomainError, match="ao menos uma"):
        operations.bulk_move(db, OPS, [], "pending", "x")


def test_bulk_assign_pendency_owner(db, org):
    kind = db.scalar(select(PendencyType).limit(1))
    with_pendency = factories.proposal(db, org.client)
    without = factories.proposal(db, org.client)
    pendencies.open_pendency(db, OPS, with_pendency, NewPendency(kind.id, "operations"))
    result = operations.bulk_assign_pendencies(db, OPS, [with_pendency, without], "agent")
    assert result.done == [with_pendency.id] and [i for i, _ in result.failed] == [without.id]
    assert pendencies.pendencies_of(db, with_pendency)[0].owner_kind == "agent"


SANDBOX_FLOWS = {
    "facta": [
        ("AGUARDANDO ASSINATURA DIGITAL", "waiting_signature"),
        ("ASSINADO", "signed"),
        ("EM ANALISE", "under_analysis"),
        ("AGUARDA AVERBACAO", "awaiting_endorsement"),
        ("AVERBADO", "endorsed"),
        ("PAGO", "paid"),
    ],
    "daycoval": [
        ("AGUARDANDO ASSINATURA", "waiting_signature"),
        ("EM ANALISE", "under_analysis"),
        ("AGUARDANDO AVERBACAO", "awaiting_endorsement"),
        ("AVERBADA", "endorsed"),
        ("INTEGRADA", "paid"),
    ],
    "c6": [
        ("AGUARDANDO_ASSINATURA", "waiting_signature"),
        ("ASSINADA", "signed"),
        ("EM_ANALISE", "under_analysis"),
        ("APROVADA", "awaiting_endorsement"),
        ("DESEMBOLSADA", "paid"),
    ],
    "master": [
        ("AGUARDANDO_FORMALIZACAO", "waiting_signature"),
        ("EM_ANALISE", "under_analysis"),
        ("AVERBADA", "endorsed"),
        ("PAGA", "paid"),
    ],
}


@pytest.mark.parametrize("bank", sorted(SANDBOX_FLOWS))
def test_sandbox_flows_reach_paid_with_complete_history(db, org, bank):
    """Banks skip statuses (no "signed" at Daycoval, no endorsement step at C6): the
    sync walks the implied forward steps instead of parking every proposal."""
    proposal = factories.proposal(db, org.client, bank_code=bank)
    for bank_status, status in SANDBOX_FLOWS[bank]:
        set_mapping(db, bank, bank_status, Status(status))
    for bank_status, status in SANDBOX_FLOWS[bank]:
        apply_bank_status(db, SYSTEM, proposal, bank_status)
        assert (proposal.status, proposal.needs_review) == (status, False), bank_status
    history = [e.to_status for e in events_of(db, proposal) if e.to_status]
    assert history[-3:] == ["awaiting_endorsement", "endorsed", "paid"]
    assert "signed" in history


def test_a_late_mapping_releases_parked_proposals(db, org):
    parked = [factories.proposal(db, org.client, bank_code="bradesco") for _ in range(2)]
    for proposal in parked:
        apply_bank_status(db, SYSTEM, proposal, "Em Formalização")
    assert all(p.needs_review for p in parked)
    set_mapping(db, "bradesco", "EM FORMALIZAÇÃO", Status.WAITING_SIGNATURE)
    assert reapply_parked(db, OPS, "bradesco", "em formalização").cleared == 2
    assert [(p.status, p.needs_review) for p in parked] == [("waiting_signature", False)] * 2
