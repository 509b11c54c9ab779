"""Each role opens its home page on its own numbers and changes a filter: the figures are
reloaded in place (HTMX) and the address keeps the filter. Screenshots of each home are
saved under tests/e2e/artifacts/ (gitignored) for review."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parent / "artifacts"
MONEY = re.compile(r"^-?R\$ \d{1,3}(\.\d{3})*,\d{2}$")


def _previous_month() -> str:
    first = date.today().replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _change(page, select: str, value: str, live_server: str, path: str, arg: str) -> None:
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true" and path in r.url):
        page.select_option(select, value)
    page.wait_for_url(re.compile(rf".*{re.escape(path)}\?.*{arg}={re.escape(value)}.*"))


def test_agent_home_opens_on_own_numbers_and_changes_month(page, login, live_server):
    login("agente@demo.athenas")
    page.wait_for_url(f"{live_server}/sales/")
    assert MONEY.match(page.inner_text("[data-testid=production]"))
    assert MONEY.match(page.inner_text("[data-testid=earnings]"))
    assert "Bem-vindo" not in page.inner_text("main")
    _shot(page, "agent-home")
    month = _previous_month()
    _change(page, "#home-period", month, live_server, "/sales/", "period")
    label = f"{month[5:]}/{month[:4]}"
    assert label in page.inner_text("[data-testid=agent-numbers]")
    _shot(page, "agent-home-filtered")
    page.click("[data-testid=earnings]")
    page.wait_for_url(re.compile(rf".*/sales/commissions\?period={month}$"))


def test_operations_home_opens_on_pipeline_numbers_and_filters_by_bank(page, login, live_server):
    login("operacoes@demo.athenas")
    page.wait_for_url(f"{live_server}/operations/")
    assert re.fullmatch(r"[\d.]+", page.inner_text("[data-testid=needs-review]"))
    assert page.locator("[data-testid=overdue-by-owner]").count() == 1
    _shot(page, "operations-home")
    _change(page, "#home-bank", "facta", live_server, "/operations/", "bank")
    assert "bank=facta" in page.get_attribute("[data-testid=sla-breached]", "href")
    _shot(page, "operations-home-filtered")


def test_finance_home_opens_on_reconciliation_and_filters_by_period(page, login, live_server):
    login("financeiro@demo.athenas")
    page.wait_for_url(f"{live_server}/finance/")
    assert MONEY.match(page.inner_text("[data-testid=payouts-due]"))
    assert page.locator("[data-testid=recon-by-bank]").count() == 1
    _shot(page, "finance-home")
    month = _previous_month()
    _change(page, "#home-period", month, live_server, "/finance/", "period")
    assert f"{month[5:]}/{month[:4]}" in page.inner_text("#home")
    assert f"period={month}" in page.get_attribute("[data-testid=recon-open]", "href")
    _shot(page, "finance-home-filtered")


def test_admin_opens_system_health_and_changes_the_window(page, login, live_server):
    login("admin@demo.athenas")
    page.wait_for_url(f"{live_server}/admin/")
    assert "Disjuntores dos bancos" in page.inner_text("[data-testid=admin-health-summary]")
    page.click("[data-testid=health-link]")
    page.wait_for_url(f"{live_server}/admin/health")
    assert page.locator("[data-testid=breakers] tr").count() >= 1
    _shot(page, "admin-health")
    _change(page, "#home-window", "7d", live_server, "/admin/health", "window")
    assert "últimos 7 dias" in page.inner_text("#home")
    _shot(page, "admin-health-filtered")
