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

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
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
        expect(page.locator(f"[data-testid=count-{status}]")).to_have_text("1")
        column = page.locator(f"[data-testid=column-{status}]")
        expect(column).to_contain_text(label)
        if status == "paid":  # a finished column starts folded: unfolding loads its cards
            expect(column).not_to_have_attribute("open", "")
            column.locator("summary").click()
        # Each column loads its cards after the board redraws (hx-get, HTMX).
        moved = page.locator(f"[data-testid=column-{status}] [data-testid=card-{proposal_id}]")
        moved.wait_for(state="visible")
    # Every move asked first (hx-confirm), naming the proposal and where it goes.
    assert asked == [f"Mover a proposta nº {proposal_id} para “{label}”?" for _, label in PATH]

    page.click(f"[data-testid=card-{proposal_id}] a")
    page.wait_for_url(f"{live_server}/operations/proposals/{proposal_id}")
    assert page.inner_text("[data-testid=proposal-status]") == "Paga"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Averbada → Paga" in timeline and "Digitada → Aguardando formalização" in timeline
    assert timeline.count("operacoes@demo.athenas") >= len(PATH)


def test_board_fits_more_with_folded_columns_and_headers_stay_in_view(page, login, live_server):
    """The demo board was 15 × 250 px columns = 3,918 px wide. Empty and finished columns now
    start folded; the headers stick to the top of the board while it scrolls."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    login("operacoes@demo.athenas")
    page.goto("/operations/board")
    board = page.locator("[data-testid=board]")
    width = board.evaluate("el => el.scrollWidth")
    folded = page.locator("details.board-column:not([open])").count()
    assert page.locator("details.board-column").count() == 15 and folded >= 3  # paid, refused, cancelled
    strips = page.locator("details.board-column:not([open])").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().width)"
    )
    assert max(strips) <= 72, strips  # a folded column is a narrow strip, not 250 px
    assert width <= 3918 - folded * (250 - 72), (width, folded)
    print(f"board: {width}px wide, {folded} columns folded, {len(page.content())} bytes of HTML")

    # Scrolled down, the header of a long column is still where the user can read it.
    column = page.locator("[data-testid=column-submitted]")
    head = column.locator("summary")
    column.locator("article").nth(4).wait_for()  # the first page: 5 cards, loaded by the column
    assert column.locator("article").count() == 5
    page.click("[data-testid=more-submitted]")  # "Carregar mais" appends the next page
    column.locator("article").nth(5).wait_for()
    board.evaluate("el => el.scrollTo(0, 600)")
    assert board.evaluate("el => el.scrollTop") > 0  # the board did scroll
    board_top = board.evaluate("el => el.getBoundingClientRect().top")
    head_top = head.evaluate("el => el.getBoundingClientRect().top")
    assert abs(head_top - board_top) < 2 and head.is_visible()

    # A folded column unfolds with one click and stays unfolded after the board redraws.
    page.click("[data-testid=column-paid] summary")
    expect_open = page.locator("[data-testid=column-paid][open]")
    expect_open.wait_for()
    paid_cards = page.locator("[data-testid=column-paid] article")
    paid_cards.first.wait_for()  # unfolding loaded its cards
    page.select_option("select[name=product]", index=1)
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=column-paid]").get_attribute("open") is not None
    # Restored open after the redraw, it loads its cards again (none left loading).
    expect(page.locator("[data-testid=column-paid]")).not_to_contain_text("Carregando propostas")
    expect(page.locator("[data-testid=column-submitted]")).not_to_contain_text("Carregando propostas")
