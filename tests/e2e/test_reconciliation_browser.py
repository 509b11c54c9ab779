"""Finance in the browser: import a bank's commission report (new layout mapped on the
page), accept the divergence it brings, approve a period's statements; then the agent
downloads their statement PDF."""

from __future__ import annotations

import re
from datetime import date

import pytest

pytestmark = pytest.mark.e2e

CONTRACT = "E2E-DESCONHECIDO-1"
JOB_DONE = "[data-testid=job-progress][data-status=done]"


def _report(day: date) -> str:
    # Not the layout the demo saved for Bradesco (CONTRATO;DATA PAGAMENTO;VALOR;...).
    return f"ADE;DT PAGAMENTO;VALOR COMISSAO;EVENTO\n{CONTRACT};{day:%d/%m/%Y};123,45;COMISSAO FLAT\n"


def test_finance_imports_accepts_a_divergence_approves_and_agent_gets_the_pdf(page, login, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
    login("financeiro@demo.athenas")

    # Upload: Bradesco's header is not the demo's saved layout, so the file is held in
    # quarantine with the differences shown; finance maps it (the page proposes the mapping).
    source = tmp_path / "bradesco-comissoes.csv"
    source.write_text(_report(date.today().replace(day=1)), encoding="utf-8")
    page.goto("/finance/imports/new")
    page.select_option("select[name=kind]", "bank-report")
    page.select_option("select[name=bank_code]", "bradesco")
    page.set_input_files("input[name=file]", str(source))
    page.click("button:has-text('Enviar')")
    page.wait_for_url(re.compile(r".*/finance/imports/\d+$"))
    import_url = page.url
    assert "Colunas novas: ADE" in page.inner_text("[data-testid=differences]")
    page.click("a:has-text('Mapear colunas')")
    page.wait_for_url(re.compile(r".*/finance/imports/\d+/mapping$"))
    assert page.input_value("select[name=map-contract]") == "ADE"
    assert page.input_value("select[name=map-amount]") == "VALOR COMISSAO"
    page.fill("input[name=layout_name]", "Bradesco – teste e2e")
    page.click("button:has-text('Salvar layout e pré-visualizar')")
    page.wait_for_url(re.compile(r".*/finance/imports/\d+$"))
    assert "1 linha(s) válida(s), 0 com erro" in page.inner_text("[data-testid=preview-totals]")
    page.click("button:has-text('Importar 1 linha(s)')")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    page.wait_for_selector(JOB_DONE, timeout=30_000)
    page.goto(import_url)
    result = page.inner_text("[data-testid=import-result]")
    assert re.search(r"Importadas\s+1\b", result) and re.search(r"Erros\s+0\b", result), result

    # The report's line is a contract we do not know: a divergence to accept.
    page.goto(f"/finance/reconciliation/items?bank=bradesco&contract={CONTRACT}")
    row = page.locator("[data-testid=recon-items-row]", has_text="Contrato desconhecido")
    assert row.count() == 1
    row.locator("a:has-text('Abrir')").click()
    page.wait_for_url(re.compile(r".*/finance/reconciliation/item\?.*"))
    assert page.inner_text("[data-testid=item-status]") == "Em aberto"
    form = page.locator("[data-testid=accept-form]")
    form.locator("textarea[name=reason], input[name=reason]").fill("Contrato de teste e2e, aceito.")
    form.locator("button:has-text('Revisar ajuste')").click()
    page.wait_for_selector("[data-testid=accept-confirm]")
    assert "R$ 123,45" in page.inner_text("[data-testid=accept-confirm]")
    page.click("button:has-text('Confirmar e lançar ajuste')")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=item-status]") == "Aceito"
    assert "R$ 0,00" in page.inner_text("[data-testid=open-difference]")

    # Approve a closed period that still has drafts (the demo leaves the others' as drafts).
    page.goto("/finance/statements?state=draft")
    first_draft = page.locator("[data-testid=statements] tbody tr[data-testid^=statement-]").first
    period = first_draft.locator("td").nth(1).inner_text().strip()
    page.select_option("[data-testid=approve-period-form] select[name=period]", period)
    page.click("button:has-text('Aprovar período')")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    page.wait_for_selector(JOB_DONE, timeout=120_000)
    page.goto(f"/finance/statements?period={period}&state=draft")
    assert "Nenhum extrato" in page.inner_text("[data-testid=statements]")

    # The agent sees their approved statement and downloads its PDF.
    page.context.clear_cookies()
    login("agente@demo.athenas")
    page.goto("/sales/statements")
    href = page.locator("[data-testid=statements] a:has-text('PDF')").first.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
