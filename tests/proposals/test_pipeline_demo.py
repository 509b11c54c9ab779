"""Demo pipeline: thousands of proposals across banks and statuses, once; mappings that
cover the sandbox banks' strings; the demo agent has pendencies to clear."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo import seed
from portal.demo.proposals import seed_proposals
from portal.people.models import User
from portal.proposals.mapping import lookup
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.pendencies import open_agent_pendencies
from portal.proposals.pipeline_models import Pendency
from sandbox_bank.core import FLOWS


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_seeds_the_pipeline_once(app, db):
    with app.app_context():
        seed(db)
        total = _count(db, Proposal)
        assert total >= 3000
        assert len(set(db.scalars(select(Proposal.bank_code)))) == 5
        statuses = set(db.scalars(select(Proposal.status)))
        assert {"submitted", "pending", "paid", "refused"} <= statuses
        assert _count(db, ProposalEvent) > total and _count(db, Pendency) > 0
        assert _count(db, Proposal, Proposal.needs_review.is_(True)) > 0
        for bank, strings in FLOWS.items():
            assert all(lookup(db, bank, s) is not None for s in strings), bank
        agent = db.scalar(select(User).where(User.email == "agente@demo.athenas"))
        assert db.scalars(open_agent_pendencies(db, agent)).first() is not None
        seed_proposals(db)
        assert _count(db, Proposal) == total
