"""Finance in the browser: import a bank table, approve it, see a paid proposal's
commission lines and close a period."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.production_shape]

TABLE = (
    "banco;produto;convenio;tabela;prazo_de;prazo_ate;taxa_de;taxa_ate;vigencia_de;vigencia_ate;base;flat;"
    "diferido;diferido_meses;bonus;fixo;estorno_dias;estorno_regra\n"
    "bradesco;new;*;*;1;120;0;5;01/01/2024;;bruto;5,00;0,25;12;0,50;0;90;pro_rata\n"
    "bradesco;refin;*;*;1;120;0;5;01/01/2024;;liquido;4,00;0,20;12;0;0;90;pro_rata\n"
    "bradesco;fgts;*;*;1;120;0;5;01/01/2024;;bruto;4,00;0;0;0;0;30;integral\n"
)


def test_finance_imports_approves_sees_lines_and_closes_a_period(page, login, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
    login("financeiro@demo.athenas")

    # The demo's Bradesco table is open-ended: retire it so the imported one can take over.
    page.goto("/finance/tables?bank=bradesco")
    page.click("[data-testid^=versions-bradesco] a:has-text('Bradesco v1')")
    page.click("button:has-text('Retirar')")
    page.wait_for_load_state()
    assert "Retirada" in page.inner_text("[data-testid=version-state]")

    source = tmp_path / "bradesco.csv"
    source.write_text(TABLE, encoding="utf-8")
    page.goto("/finance/tables/import")
    page.select_option("select[name=bank_code]", "bradesco")
    page.set_input_files("input[name=file]", str(source))
    page.click("button:has-text('Importar como rascunho')")
    page.wait_for_url(re.compile(r".*/finance/tables/\d+$"))
    assert "Rascunho" in page.inner_text("[data-testid=version-state]")
    assert page.locator("[data-testid=version-rows] tbody tr").count() == 3
    page.click("button:has-text('Aprovar')")
    page.wait_for_load_state()
    assert "Aprovada" in page.inner_text("[data-testid=version-state]")

    # A paid proposal's commission lines, each with its explanation.
    page.goto("/finance/ledger")
    page.click("table a[href*='/finance/contracts/']")
    page.wait_for_url(re.compile(r".*/finance/contracts/\d+$"))
    lines = page.inner_text("[data-testid=contract-lines]")
    assert "R$" in lines and re.search(r"\d,\d\d% de R\$", lines), lines[:500]

    # Close the open period.
    page.goto("/finance/periods")
    row = page.locator("tr:has(a:has-text('Fechar…'))").last  # the oldest open period
    period = row.get_attribute("data-testid").removeprefix("period-")
    row.locator("a:has-text('Fechar…')").click()
    page.wait_for_url(re.compile(rf".*/finance/periods/{period}/close$"))
    page.click(f"button:has-text('Fechar o período {period}')")
    page.wait_for_load_state()
    page.goto("/finance/periods")
    assert "Fechado" in page.inner_text(f"[data-testid=period-{period}]")
