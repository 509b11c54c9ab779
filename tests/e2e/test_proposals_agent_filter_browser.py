"""Operations narrows the proposals list to one agent by typing part of their name and
picking a suggestion; the URL keeps `agent=<id>` and a reload shows the name again."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e]

AGENT_COLUMN = "td:nth-child(4)"  # checkbox, Nº, Cliente, Corretor


def test_typing_an_agent_name_and_picking_a_suggestion_filters_the_list(page, login, live_server):
    from playwright.sync_api import expect

    login("operacoes@demo.athenas")
    page.goto("/operations/proposals")
    rows = page.locator("[data-testid=proposals-table] tbody tr[data-testid^=row-]")
    rows.first.wait_for()
    agents = set(rows.locator(AGENT_COLUMN).all_inner_texts())
    assert len(agents) > 1, agents  # the demo list mixes agents: the filter has work to do
    name = sorted(agents)[0]

    field = page.locator("[data-testid=agent-filter]")
    field.press_sequentially(name.split()[-1][:4].lower(), delay=30)  # part of a surname, lower case
    suggestion = page.locator("[data-testid=agent-suggestions] [data-agent-name]", has_text=name).first
    suggestion.click()

    expect(page).to_have_url(re.compile(r"[?&]agent=\d+"))
    expect(field).to_have_value(name)
    expect(page.locator("[data-testid=agent-suggestions] button")).to_have_count(0)
    expect(rows.first).to_be_visible()
    expect(rows.locator(AGENT_COLUMN)).to_have_text([name] * rows.count())
    assert "q=" not in page.url  # the typed text is not a filter

    page.reload()  # a shared link or a bookmark shows the chosen agent by name
    expect(page.locator("[data-testid=agent-filter]")).to_have_value(name)
    assert set(rows.locator(AGENT_COLUMN).all_inner_texts()) == {name}

    page.locator("[data-testid=agent-filter]").fill("")  # emptying the field drops the filter
    expect(page).not_to_have_url(re.compile(r"agent=\d"))
    expect(rows.locator(AGENT_COLUMN).filter(has_not_text=name).first).to_be_visible()
