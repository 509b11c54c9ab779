"""An agent creates a client in the browser, reveals the CPF, and finds the client in the list."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.production_shape]


def test_agent_creates_a_client_and_sees_it_in_the_list(page, login, live_server):
    login("agente@demo.athenas")
    page.wait_for_url(f"{live_server}/sales/")
    page.click("[data-testid=main-menu] >> text=Clientes")
    page.wait_for_url(f"{live_server}/sales/clients")
    page.click("text=Novo cliente")
    page.fill("input[name=cpf]", "529.982.247-25")
    page.fill("input[name=name]", "Zuleika D'Ávila Navegador")
    page.fill("input[name=birth_date]", "12/08/1956")
    page.fill("input[name=phone]", "(81) 99876-5432")
    page.fill("input[name=cep]", "50010-000")
    page.fill("input[name=city]", "Recife")
    page.select_option("select[name=state]", "PE")
    page.select_option("select[name=provenance]", "agent")
    page.click("button[type=submit] >> text=Cadastrar cliente")

    page.wait_for_url(f"{live_server}/sales/clients/*")
    assert page.inner_text("[data-testid=client-name]").startswith("Zuleika D'Ávila Navegador")
    cpf = page.locator("[data-testid=pii-cpf]")
    assert "***.982.247-**" in cpf.inner_text()
    cpf.locator("text=Revelar").click()
    page.wait_for_selector("[data-testid=revealed]")
    assert "529.982.247-25" in page.inner_text("[data-testid=revealed]")

    page.click("text=Voltar à lista")
    page.fill("input[name=q]", "zuleika d")
    page.wait_for_selector("[data-testid=clients-table] >> text=Zuleika D'Ávila Navegador")
    row = page.locator("[data-testid=clients-table] tr", has_text="Zuleika D'Ávila Navegador")
    assert "***.982.247-**" in row.inner_text()
    assert "529.982.247-25" not in page.content()

    # The same CPF again: no second record, a link to the existing one.
    page.goto("/sales/clients/new")
    page.fill("input[name=cpf]", "52998224725")
    page.fill("input[name=name]", "Outra Pessoa")
    page.select_option("select[name=provenance]", "agent")
    page.click("button[type=submit] >> text=Cadastrar cliente")
    assert "Este CPF já está cadastrado." in page.inner_text("[data-testid=duplicate]")
    page.click("[data-testid=duplicate] >> text=Abrir o cadastro existente")
    assert page.inner_text("[data-testid=client-name]").startswith("Zuleika")
