"""Who reaches which pipeline page: the access contract, written out by hand."""

from __future__ import annotations

import pytest

ROLES = ["agent", "supervisor", "operations", "finance", "manager", "admin"]
EXPECTED = {
    "/operations/board": {"operations", "manager"},
    "/operations/board/columns/submitted": {"operations", "manager"},
    "/operations/proposals": {"operations", "manager"},
    "/operations/proposals/export.xlsx": {"operations", "manager"},
    "/operations/proposals/agents?q=an": {"operations", "manager"},
    "/operations/mappings": {"operations", "manager"},
    "/operations/sla": {"operations", "manager"},
    "/operations/pendency-types": {"operations", "manager"},
    "/operations/proposals/new": {"operations"},
    "/sales/proposals": {"agent", "supervisor", "manager"},
    "/sales/proposals/export.csv": {"agent", "supervisor", "manager"},
    "/sales/pendencies": {"agent", "supervisor", "manager"},
}
# Old addresses kept for bookmarks: the allowed roles are sent on (302), the rest refused.
FORWARDED = {
    "/operations/proposals/import": ({"operations"}, "/finance/imports/new?kind=proposals"),
}


@pytest.mark.parametrize("role", ROLES)
def test_pipeline_role_matrix(client, login_as, role):
    login_as(role)
    for path, allowed in EXPECTED.items():
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)
    for path, (allowed, target) in FORWARDED.items():
        response = client.get(path)
        if role in allowed:
            assert (response.status_code, response.headers["Location"]) == (302, target), (role, path)
        else:
            assert response.status_code == 403, (role, path, response.status_code)


@pytest.mark.parametrize(("role", "shown"), [("operations", "Esteira"), ("agent", "Propostas")])
def test_menu_entries(client, login_as, role, shown):
    login_as(role)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    menu = html.split('data-testid="main-menu"')[1].split("</ul>")[0]
    assert f">{shown}</a>" in menu
