"""SLA: the time a proposal spent in each status, from its event history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from portal.proposals.models import ProposalEvent
from portal.proposals.sla import time_in_each_status
from tests import factories

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _event(hours: float, to_status: str | None, bank_status: str | None = None) -> ProposalEvent:
    return ProposalEvent(
        occurred_at=T0 + timedelta(hours=hours),
        to_status=to_status,
        bank_status=bank_status,
        actor_label="t",
        source="user",
    )


def test_hours_add_up_per_status_and_the_current_one_runs_until_now():
    events = [
        _event(0, "submitted"),
        _event(2, "pending"),
        _event(3, None, "PENDENTE DOC"),  # not a move: does not split the stay
        _event(30, "submitted"),
        _event(31, "waiting_signature"),
    ]
    stays = time_in_each_status(events, {"pending": 24, "submitted": 48}, now=T0 + timedelta(hours=35))
    got = {s.status: (round(s.hours, 2), s.breached) for s in stays}
    assert got == {"submitted": (3.0, False), "pending": (28.0, True), "waiting_signature": (4.0, False)}
    assert [s.status for s in stays] == ["submitted", "pending", "waiting_signature"]


def test_a_proposal_without_status_moves_has_no_stays():
    assert time_in_each_status([], {"pending": 24}, now=T0) == []
    assert time_in_each_status([_event(1, None, "EM ANALISE")], {}, now=T0 + timedelta(hours=2)) == []


def test_proposal_page_opens_for_a_proposal_loaded_without_history(client, db, login_as):
    # Proposals bulk-loaded (generators, old imports) have no events: the page still opens
    # (it answered 500 under the load suite).
    org = factories.client_org(db)
    proposal = factories.proposal(db, factories.client(db, org.agent))
    db.execute(delete(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id))
    db.flush()
    login_as("operations")
    response = client.get(f"/operations/proposals/{proposal.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="timeline"' in html and 'data-testid="time-in-status"' not in html


def test_proposal_page_shows_time_in_each_status(client, db, login_as):
    org = factories.client_org(db)
    proposal = factories.proposal(db, factories.client(db, org.agent))
    login_as("operations")
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    assert 'data-testid="time-in-status"' in html and "Tempo em cada status" in html
    assert "Digitada" in html.split('data-testid="time-in-status"')[1].split("</table>")[0]
