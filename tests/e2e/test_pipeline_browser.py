"""Operations moves a demo proposal from "Digitada" to "Paga" with the board's buttons."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.production_shape]

PATH = [
    ("waiting_signature", "Aguardando formalização"),
    ("signed", "Formalizada"),
    ("under_analysis", "Em análise"),
    ("awaiting_endorsement", "Aguardando averbação"),
    ("endorsed", "Averbada"),
    ("paid", "Paga"),
]


def test_board_moves_a_proposal_from_submitted_to_paid(page, login, live_server):
    from playwright.sync_api import expect

    login("operacoes@demo.athenas")
    page.wait_for_url(f"{live_server}/operations/")
    page.click("text=Esteira de propostas")
    page.wait_for_url(f"{live_server}/operations/board")
    card = page.locator("[data-testid=column-submitted] article").first
    proposal_id = card.get_attribute("data-testid").removeprefix("card-")

    # Narrow the board to this proposal (the search keeps it in view as it moves).
    page.locator("input[name=number]").press_sequentially(proposal_id)
    expect(page.locator("[data-testid=board-totals]")).to_contain_text("1 proposta(s) na esteira")
    for status, label in PATH:
        page.click(f"[data-testid=move-{proposal_id}-{status}]")
        moved = page.locator(f"[data-testid=column-{status}] [data-testid=card-{proposal_id}]")
        moved.wait_for()
        expect(page.locator(f"[data-testid=count-{status}]")).to_have_text("1")
        expect(page.locator(f"[data-testid=column-{status}]")).to_contain_text(label)

    page.click(f"[data-testid=card-{proposal_id}] a")
    page.wait_for_url(f"{live_server}/operations/proposals/{proposal_id}")
    assert page.inner_text("[data-testid=proposal-status]") == "Paga"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Averbada → Paga" in timeline and "Digitada → Aguardando formalização" in timeline
    assert timeline.count("operacoes@demo.athenas") >= len(PATH)
