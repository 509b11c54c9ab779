"""Each demo role signs in through the real form and sees its own menu."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CASES = [
    ("agente@demo.athenas", "Corretor", ["Vendas"], "/sales/"),
    ("supervisor@demo.athenas", "Supervisor", ["Vendas"], "/sales/"),
    ("operacoes@demo.athenas", "Operações", ["Operações"], "/operations/"),
    # An MFA role: also signed in against the production shape (make test-browser-prod).
    pytest.param(
        "financeiro@demo.athenas",
        "Financeiro",
        ["Financeiro"],
        "/finance/",
        marks=pytest.mark.production_shape,
    ),
    ("gerente@demo.athenas", "Gerente", ["Painéis", "Vendas", "Operações", "Financeiro"], "/dashboards/"),
    ("admin@demo.athenas", "Administrador", ["Administração"], "/admin/"),
]
ALL_AREAS = {"Vendas", "Operações", "Financeiro", "Administração"}


@pytest.mark.parametrize(("email", "role_label", "areas", "landing"), CASES)
def test_demo_login_reaches_its_area(page, login, live_server, email, role_label, areas, landing):
    login(email)
    page.wait_for_url(f"{live_server}{landing}")
    assert role_label in page.inner_text("[data-testid=current-user]")
    menu = page.inner_text("[data-testid=main-menu]")
    for area in areas:
        assert area in menu
    for area in ALL_AREAS - set(areas):
        assert area not in menu
    page.click("text=Sair")
    page.wait_for_url(f"{live_server}/login")
    assert "Você saiu do Athenas." in page.inner_text("body")


def test_wrong_password_shows_portuguese_error(page, login):
    login("agente@demo.athenas", "senha-errada-123")
    assert page.inner_text("[role=alert]") == "E-mail ou senha inválidos."
    assert page.url.endswith("/login")
