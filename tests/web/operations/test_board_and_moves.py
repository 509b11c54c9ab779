"""Board and moves through the pages: HTMX buttons, reasons, stale screens, bulk."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.pipeline_models import PendencyType
from tests import factories
from tests.conftest import csrf_token_from

HX = {"HX-Request": "true"}


def _post(client, path, data, token_page="/operations/board", headers=None):
    payload = {**data, "csrf_token": csrf_token_from(client, token_page)}
    return client.post(path, data=payload, headers=headers or {})


def _events(db, proposal):
    return db.scalars(
        select(ProposalEvent.to_status)
        .where(ProposalEvent.proposal_id == proposal.id)
        .order_by(ProposalEvent.id)
    ).all()


def test_board_shows_columns_counts_and_cards(client, db, org, sign_in):
    factories.proposal(db, org.client, gross_amount=Decimal("1500.00"))
    factories.proposal(db, org.other_client, gross_amount=Decimal("2500.00"))
    sign_in(org.operations_user)
    html = client.get("/operations/board").get_data(as_text=True)
    assert 'data-testid="count-submitted">2<' in html
    assert "R$ 4.000,00" in html
    # The page carries the figures; the open column loads its cards as soon as it shows.
    assert "Maria da Silva" not in html
    assert re.search(r'hx-get="/operations/board/columns/submitted"\s+hx-trigger="load"', html)
    cards = client.get("/operations/board/columns/submitted", headers=HX).get_data(as_text=True)
    assert "Maria da Silva" in cards and "José Souza" in cards and "<html" not in cards
    assert "→ Aguardando formalização" in cards  # move button of a submitted card
    assert "Pendente…" in cards  # a move that asks for a reason
    assert "Carregar mais" not in cards
    assert client.get("/operations/board/columns/nope", headers=HX).status_code == 404


def test_a_column_shows_five_cards_then_loads_more(client, db, org, sign_in):
    made = [factories.proposal(db, org.client, bank_code="facta") for _ in range(7)]
    factories.proposal(db, org.client, bank_code="c6")
    sign_in(org.operations_user)
    html = client.get("/operations/board?bank=facta").get_data(as_text=True)
    assert 'hx-get="/operations/board/columns/submitted?bank=facta"' in html  # filters kept
    assert 'href="/operations/proposals?status=submitted&amp;bank=facta">ver todas (7)</a>' in html
    first = client.get("/operations/board/columns/submitted?bank=facta", headers=HX).get_data(as_text=True)
    assert re.findall(r'data-testid="card-(\d+)"', first) == [str(p.id) for p in made[:5]]
    more = re.search(r'hx-get="([^"]+)"[^>]*data-testid="more-submitted"', first)
    assert more and "bank=facta" in more.group(1) and "Carregar mais" in first
    rest = client.get(more.group(1).replace("&amp;", "&"), headers=HX).get_data(as_text=True)
    assert re.findall(r'data-testid="card-(\d+)"', rest) == [str(p.id) for p in made[5:]]
    assert "Carregar mais" not in rest


def test_move_by_htmx_button_rerenders_the_board(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    response = _post(
        client,
        f"/operations/proposals/{proposal.id}/status",
        {
            "target": "waiting_signature",
            "version": proposal.version,
            "origin": "board",
            "board_query": "bank=facta",
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="count-waiting_signature">1<' in html and "<html" not in html
    # Filters survive the move: the redrawn columns load their cards with them.
    assert 'hx-get="/operations/board/columns/waiting_signature?bank=facta"' in html
    cards = client.get("/operations/board/columns/waiting_signature?bank=facta", headers=HX)
    assert 'name="board_query" value="bank=facta"' in cards.get_data(as_text=True)
    assert _events(db, proposal) == ["submitted", "waiting_signature"]


def test_move_needing_a_reason_asks_for_it(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    form = client.get(
        f"/operations/proposals/{proposal.id}/status-form?target=pending&origin=board", headers=HX
    ).get_data(as_text=True)
    assert "Motivo para “Pendente”" in form and f'value="{proposal.version}"' in form
    data = {"target": "pending", "version": proposal.version, "origin": "board"}
    refused = _post(client, f"/operations/proposals/{proposal.id}/status", data, headers=HX)
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == f"#reason-{proposal.id}"
    assert "Informe o motivo" in refused.get_data(as_text=True)
    selfie = db.scalar(select(PendencyType).where(PendencyType.name == "Biometria pendente"))
    done = _post(
        client,
        f"/operations/proposals/{proposal.id}/status",
        {**data, "reason": "Selfie ilegível", "pendency_type_id": selfie.id},
        headers=HX,
    )
    assert done.status_code == 200
    event = db.scalars(
        select(ProposalEvent).where(
            ProposalEvent.proposal_id == proposal.id, ProposalEvent.to_status.is_not(None)
        )
    ).all()[-1]
    assert (event.to_status, event.reason) == ("pending", "Selfie ilegível")


def test_stale_screen_is_told_and_no_event_is_written(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    seen = proposal.version
    sign_in(org.operations_user)
    first = _post(
        client, f"/operations/proposals/{proposal.id}/status", {"target": "under_analysis", "version": seen}
    )
    assert first.status_code == 303
    second = _post(
        client,
        f"/operations/proposals/{proposal.id}/status",
        {"target": "waiting_signature", "version": seen, "origin": "board"},
        headers=HX,
    )
    assert second.status_code == 409
    assert "alterada por outra pessoa" in second.get_data(as_text=True)
    db.expire_all()
    assert db.get(Proposal, proposal.id).status == "under_analysis"
    assert _events(db, proposal) == ["submitted", "under_analysis"]


def test_illegal_move_is_refused_with_a_message(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    response = _post(
        client, f"/operations/proposals/{proposal.id}/status", {"target": "paid", "version": proposal.version}
    )
    assert response.status_code == 422
    assert "Não é possível passar de “Digitada” para “Paga”" in response.get_data(as_text=True)


def test_only_operations_move(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.agent_user)
    token = csrf_token_from(client, "/sales/")
    response = client.post(
        f"/operations/proposals/{proposal.id}/status",
        data={"target": "waiting_signature", "version": proposal.version, "csrf_token": token},
    )
    assert response.status_code == 403
    assert client.get("/operations/board").status_code == 403


def test_bulk_move_with_reason_reports_failures(client, db, org, sign_in):
    a = factories.proposal(db, org.client)
    b = factories.proposal(db, org.client, status="paid")
    sign_in(org.operations_user)
    response = _post(
        client,
        "/operations/proposals/bulk",
        {
            "ids": [f"{a.id}:{a.version}", f"{b.id}:{b.version}"],
            "action": "status",
            "target": "pending",
            "reason": "Documento ilegível",
        },
        token_page="/operations/proposals",
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 proposta(s) atualizada(s)." in page
    assert re.search(rf"Proposta nº {b.id}: Não é possível passar", page)
    db.expire_all()
    assert db.get(Proposal, a.id).status == "pending" and db.get(Proposal, b.id).status == "paid"


def _column_tag(html: str, status: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="column-{status}"[^>]*>', html)
    assert match, status
    return match.group(0)


def test_board_folds_empty_and_finished_columns_and_confirms_moves(client, db, org, sign_in):
    """15 columns side by side were 3,918 px wide: the empty and finished ones now start
    folded (a <details> one click unfolds), headers are sticky, and a move asks first."""
    submitted = factories.proposal(db, org.client)
    factories.proposal(db, org.client, status="paid")
    factories.proposal(db, org.client, status="refused")
    sign_in(org.operations_user)
    html = client.get("/operations/board").get_data(as_text=True)
    assert _column_tag(html, "submitted").startswith("<details") and " open" in _column_tag(html, "submitted")
    for folded in ("paid", "refused", "cancelled", "signed", "awaiting_cip"):  # finished or empty
        tag = _column_tag(html, folded)
        assert tag.startswith("<details") and " open" not in tag, folded
    assert len(re.findall(r'<details class="board-column"[^>]* open>', html)) == 1
    # Folded columns still show their name and count in the (sticky) header.
    assert 'data-testid="count-paid">1<' in html and "board-column-head" in html
    # A folded column loads its cards when it is unfolded, not with the page.
    assert re.search(
        r'hx-get="/operations/board/columns/paid"\s+hx-trigger="toggle once from:closest details"', html
    )
    cards = client.get("/operations/board/columns/submitted", headers=HX).get_data(as_text=True)
    assert f'hx-confirm="Mover a proposta nº {submitted.id} para “Aguardando formalização”?"' in cards
    css = client.get("/static/css/pipeline.css").get_data(as_text=True)
    assert re.search(r"\.board-column-head \{[^}]*position: sticky; top: 0", css)
