"""The proposal page's copy of the pipeline catalogue (pendency types, SLA limits): read again
after any change, never kept from a change that was rolled back, dated limits by day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.core.audit import Actor
from portal.proposals import pendencies, sla
from portal.proposals.page import proposal_page
from portal.proposals.pipeline_models import CatalogueStamp
from tests import factories

OPS = Actor(id=None, label="operador@teste")


def _token(db) -> int:
    return db.scalar(select(CatalogueStamp.token))


def test_every_change_of_types_or_limits_stamps_a_new_token(db, org):
    proposal = factories.proposal(db, org.client)
    first = _token(db)
    kind = pendencies.save_type(db, OPS, "Selfie ilegível")
    second = _token(db)
    sla.save_limits(db, OPS, {"submitted": 6})
    third = _token(db)
    assert len({first, second, third}) == 3
    page = proposal_page(db, org.operations_user, proposal.id)
    assert "Selfie ilegível" in [t.name for t in page.pendency_types]
    assert page.limits["submitted"] == 6
    pendencies.save_type(db, OPS, "Selfie ilegível", kind.id, active=False)
    assert "Selfie ilegível" not in [
        t.name for t in proposal_page(db, org.operations_user, proposal.id).pendency_types
    ]


def test_a_change_rolled_back_leaves_no_copy_behind(db, org):
    proposal = factories.proposal(db, org.client)
    before = _token(db)
    savepoint = db.begin_nested()
    pendencies.save_type(db, OPS, "Tipo desfeito")
    inside = proposal_page(db, org.operations_user, proposal.id)
    assert "Tipo desfeito" in [t.name for t in inside.pendency_types]
    savepoint.rollback()
    assert _token(db) == before
    after = proposal_page(db, org.operations_user, proposal.id)
    assert "Tipo desfeito" not in [t.name for t in after.pendency_types]


def test_a_limit_scheduled_for_tomorrow_applies_from_that_day(db, org, monkeypatch):
    proposal = factories.proposal(db, org.client)
    today = date(2026, 12, 1)
    monkeypatch.setattr(sla, "local_today", lambda: today)
    assert proposal_page(db, org.operations_user, proposal.id).limits["submitted"] == 24
    sla.schedule_limit(db, OPS, "submitted", 12, today + timedelta(days=1), today)
    assert proposal_page(db, org.operations_user, proposal.id).limits["submitted"] == 24
    monkeypatch.setattr(sla, "local_today", lambda: today + timedelta(days=1))
    assert proposal_page(db, org.operations_user, proposal.id).limits["submitted"] == 12
