"""What a new user hit in the first hour on the pipeline pages (issue 9)."""

from __future__ import annotations

from tests import factories


def test_proposal_page_shows_peoples_words_not_internals(client, db, org, sign_in):
    proposal = factories.proposal(
        db, org.client,
        extra={"simulation_id": 41, "option": 2, "bank_data": {"idSimulacao": "SIM-99"},
               "signing_channel": "sms", "attempt_started_at": "2024-01-01T00:00:00"},
    )  # fmt: skip
    sign_in(org.operations_user)
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    for internal in ("simulation_id", "bank_data", "idSimulacao", "SIM-99", "signing_channel",
                     "attempt_started_at", ">option<"):  # fmt: skip
        assert internal not in html
    assert "Assinatura por" in html and "SMS ao cliente" in html
