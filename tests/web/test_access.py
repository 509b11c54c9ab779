"""Every route declares a policy; each role reaches exactly its pages."""

from __future__ import annotations

import pytest

from portal.web.access import policy_of

ROLES = ["agent", "supervisor", "operations", "finance", "manager", "admin"]

# Page → roles allowed. Written out by hand: this is the access contract.
EXPECTED = {
    "/sales/": {"agent", "supervisor", "manager"},
    "/operations/": {"operations", "manager"},
    "/finance/": {"finance", "manager"},
    "/admin/": {"admin"},
    "/admin/users": {"admin"},
    "/admin/users/new": {"admin"},
    "/admin/users/export.csv": {"admin"},
    "/admin/audit": {"admin"},
    "/account/password": set(ROLES),
    "/jobs/": set(ROLES),
    "/jobs/export.csv": set(ROLES),
}


def test_every_route_declares_a_policy(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and policy_of(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == [], f"rotas sem política de acesso: {missing}"


def _parameterless_get_routes(app):
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint != "static"
        and policy_of(app.view_functions[rule.endpoint]) != ("public",)
    )


def test_anonymous_is_sent_to_login_everywhere(client, app):
    for path in _parameterless_get_routes(app):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path


# Old addresses kept for bookmarks and scripts: they send whoever may use them elsewhere.
LEGACY_REDIRECTS = {"/operations/proposals/import": "/finance/imports/new?kind=proposals"}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, app, login_as, role):
    login_as(role)
    for path, allowed in EXPECTED.items():
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)
    for path in _parameterless_get_routes(app):
        if path in ("/", "/logout"):
            continue
        response = client.get(path)
        if path in LEGACY_REDIRECTS and response.status_code == 302:
            assert response.headers["Location"].startswith(LEGACY_REDIRECTS[path]), (role, path)
            continue
        assert response.status_code in (200, 403), (role, path, response.status_code)


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("agent", ["Vendas"], ["Operações", "Financeiro", "Administração"]),
        ("operations", ["Operações"], ["Vendas", "Financeiro", "Administração"]),
        ("finance", ["Financeiro"], ["Vendas", "Operações", "Administração"]),
        ("manager", ["Vendas", "Operações", "Financeiro"], ["Administração"]),
        ("admin", ["Administração"], ["Vendas", "Operações", "Financeiro"]),
    ],
)
def test_menu_shows_only_allowed_areas(client, login_as, role, visible, hidden):
    login_as(role)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    menu = html.split('data-testid="main-menu"')[1].split("</ul>")[0]
    for label in visible:
        assert f">{label}</a>" in menu
    for label in hidden:
        assert f">{label}</a>" not in menu
