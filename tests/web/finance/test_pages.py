"""Every finance commission page renders for finance, is refused to agents, and managers
read without the buttons that change anything."""

from __future__ import annotations

import pytest

from tests import factories


def _paths(fin, paid) -> list[str]:
    v = fin.version.id
    return [
        "/finance/",
        "/finance/tables",
        "/finance/tables/import",
        f"/finance/tables/{v}",
        f"/finance/tables/compare?old={v}&new={v}",
        "/finance/tables/compare",
        "/finance/plans",
        f"/finance/contracts/{paid.id}",
        "/finance/ledger",
        "/finance/ledger/manual",
        "/finance/no-table",
        "/finance/periods",
        "/finance/periods/2026-03/close",
    ]


def test_every_page_renders_for_finance(client, fin, paid, finance_user):
    for path in _paths(fin, paid):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'data-testid="finance-nav"' in html, path


@pytest.mark.parametrize("role", ["agent", "supervisor", "operations", "admin"])
def test_every_page_is_refused_outside_finance(client, db, fin, paid, sign_in, role):
    sign_in(factories.user(db, role=role))
    for path in _paths(fin, paid):
        assert client.get(path).status_code == 403, (role, path)


def test_manager_reads_but_cannot_change(client, db, fin, paid, sign_in):
    sign_in(factories.user(db, role="manager"))
    for path in [
        "/finance/tables",
        f"/finance/tables/{fin.version.id}",
        "/finance/ledger",
        "/finance/periods",
    ]:
        html = client.get(path).get_data(as_text=True)
        assert "Retirar</button>" not in html and "Recalcular</button>" not in html, path
    assert client.get("/finance/tables/import").status_code == 403
    assert client.get("/finance/ledger/manual").status_code == 403


def test_landing_shows_open_period_lines_and_no_table_count(client, fin, paid, finance_user):
    html = client.get("/finance/").get_data(as_text=True)
    assert 'data-testid="open-period">2026-03<' in html
    # The worked example posts in 2026-03: flat, the agent's repasse of it and the override.
    assert 'data-testid="lines-in-period">3<' in html
    assert 'data-testid="no-table-count">0<' in html
