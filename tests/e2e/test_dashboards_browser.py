"""Managers and supervisors open their dashboard from the menu, see charts drawn from the
tables under them, and change a filter (HTMX swaps the figures); screenshots are kept in
tests/e2e/artifacts/ (gitignored) for people to look at."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ALL_DRAWN = "[...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))"


def _until(page, script: str, seconds: float = 10) -> None:
    """Poll `script` with page.evaluate (wait_for_function evaluates strings in the page,
    which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"não aconteceu: {script}"
        time.sleep(0.1)


def _open_and_filter(page, live_server: str, heading: str, shot: str) -> str:
    """Open the dashboard from the menu, change the period and the bank; returns the
    filtered dashboard's query string."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1440, "height": 1000})
    page.wait_for_selector("[data-testid=main-menu]")  # signed in (after the MFA step)
    page.click("[data-testid=main-menu] >> text=Painéis")
    page.wait_for_url(f"{live_server}/dashboards/")
    expect(page.locator("h1")).to_have_text(heading)
    summary = page.locator("[data-testid=resumo-0]")
    expect(summary).to_contain_text("Propostas digitadas")
    # Charts are drawn (Chart.js attached to the canvases) from the tables' numbers.
    _until(page, "document.querySelectorAll('canvas[data-chart]').length > 0")
    _until(page, ALL_DRAWN)
    drawn = page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')].filter(c => Chart.getChart(c)).length"
    )
    assert drawn > 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)

    # A period covering the demo's history, then one bank: the figures block is swapped.
    page.fill("#f-de", "2024-01")
    page.locator("#f-de").dispatch_event("change")
    expect(page.locator("[data-testid=dashboard]")).to_have_attribute(
        "data-period", "2024-01:" + page.input_value("#f-ate")
    )
    before = page.inner_text("[data-testid=resumo-0]")
    page.select_option("#f-bank", "facta")
    expect(page.locator("[data-testid=dashboard]")).to_have_attribute("data-bank", "facta")
    assert "bank=facta" in page.url
    after = page.inner_text("[data-testid=resumo-0]")
    assert after != before
    rows = page.locator("[data-testid=table-producao-bank_code] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Facta")
    _until(page, "[...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))")
    page.screenshot(path=str(ARTIFACTS / f"{shot}-facta.png"), full_page=True)

    query = page.url.split("?", 1)[1]
    # A figure opens the list it counts.
    page.locator("[data-testid=resumo-0] a").click()
    page.wait_for_load_state()
    assert "/proposals" in page.url and "bank=facta" in page.url
    return query


def test_manager_opens_the_dashboard_and_filters_by_bank(page, login, live_server):
    login("gerente@demo.athenas")
    _open_and_filter(page, live_server, "Painel gerencial", "painel-gerente")


def test_supervisor_opens_the_team_dashboard_and_filters_by_bank(page, login, live_server):
    login("supervisor@demo.athenas")
    query = _open_and_filter(page, live_server, "Painel da equipe", "painel-supervisor")
    stores = page.context.request.get(f"/dashboards/export/producao-team_id.csv?{query}").text()
    assert "Equipe Sé" in stores and "Equipe Liberdade" not in stores and "Equipe Cambuí" not in stores
