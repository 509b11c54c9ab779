"""The agent's bank flow in a real browser against the sandbox bank process: open a
client, query the margin at two banks at once, simulate, submit, see the proposal number."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_agent_queries_two_banks_simulates_and_submits(page, login, live_server):
    login("agente@demo.athenas")
    page.wait_for_url(f"{live_server}/sales/")
    page.goto("/sales/clients?q=Maria+Sandbox")
    page.click("text=Maria Sandbox Margem Livre")
    page.wait_for_selector("[data-testid=bank-panel]")

    # Two lookups in flight at the same time; each card fills in on its own.
    page.click("[data-testid=lookup-facta]")
    page.click("[data-testid=lookup-daycoval]")
    for bank in ("facta", "daycoval"):
        card = page.wait_for_selector(f"[data-testid=margin-card-{bank}]")
        assert card.get_attribute("data-outcome") == "ok"
        assert "Benefício ativo" in card.inner_text()
        assert re.search(r"R\$ \d", card.inner_text())

    page.click("[data-testid=simulate-link]")
    page.fill("input[name=requested_amount]", "5.000,00")
    page.fill("input[name=term_months]", "84")
    page.click("[data-testid=simulate-submit]")
    page.wait_for_selector("[data-testid=options-facta]")
    assert page.is_visible("[data-testid=options-daycoval]")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid^=submit-facta-] >> nth=0")
    number = page.wait_for_selector("[data-testid=bank-proposal-number]").inner_text()
    assert re.fullmatch(r"AF\d{7}", number), number
    assert "Link de formalização" in page.inner_text("[data-testid=submission-result]")

    page.goto("/sales/clients?q=Maria+Sandbox")
    page.click("text=Maria Sandbox Margem Livre")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Consulta de margem no banco Facta" in timeline
    assert "Digitação no banco Facta: proposta registrada" in timeline
