"""Finance · Calculadora: real CSV/XLSX uploads, lines and totals computed by hand, errors
by line, the lines download, and big files as a job."""

from __future__ import annotations

import io

import pytest

from tests import factories
from tests.conftest import form_post, sign_in
from tests.page_text import visible_text
from tests.pipeline_helpers import xlsx

URL = "/finance/calculator"
TABLE = (
    "banco;produto;convenio;tabela;prazo_de;prazo_ate;taxa_de;taxa_ate;vigencia_de;vigencia_ate;base;flat;"
    "diferido;diferido_meses;bonus;fixo;estorno_dias;estorno_regra\n"
    "facta;new;INSS;*;1;96;0;3;01/01/2026;;bruto;6,00;0,50;2;0;0;90;pro_rata\n"
)
CONTRACT_HEADER = [
    "contrato", "banco", "produto", "convenio", "tabela", "prazo", "taxa", "valor_bruto", "valor_liquido",
    "troco", "seguro", "data_pagamento", "corretor",
]  # fmt: skip
CONTRACTS = [
    ["C1", "facta", "new", "INSS", "", "84", "1,80", "10.000,00", "9.500,00", "", "", "05/03/2026", "ana@x.com"],  # noqa: E501
    ["C2", "facta", "refin", "INSS", "", "84", "1,80", "5.000,00", "", "", "", "05/03/2026", "ana@x.com"],
    ["C3", "facta", "Empréstimo Novo", "INSS", "", "84", "1,80", "1.234,56", "", "", "", "10/03/2026", "bia@x.com"],  # noqa: E501
]  # fmt: skip
PLANS = "colaborador;vigencia_de;vigencia_ate;sobre;percentual\nana@x.com;01/01/2026;;comissao;40,00\n"


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(";".join(r) for r in [header, *rows]).encode("utf-8")


def send(client, contracts: bytes, contracts_name: str = "contratos.csv", plans=PLANS.encode(), table=None):
    data = {
        "table": (io.BytesIO(table or TABLE.encode("latin-1")), "tabela.csv"),
        "contracts": (io.BytesIO(contracts), contracts_name),
    }
    if plans is not None:
        data["plans"] = (io.BytesIO(plans), "planos.csv")
    return form_post(client, URL, data, token_page=URL, content_type="multipart/form-data")


def cell(html: str, attr: str) -> str:
    """The amount cell of the totals row `attr` (e.g. data-payee="empresa")."""
    start = html.index(attr)
    row = html[start : html.index("</tr>", start)]
    amount = row.rsplit('<td class="text-end">', 1)[1].split("</td>")[0]
    return visible_text(amount)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_calculator_shows_lines_and_totals_computed_by_hand(client, login_as, fmt):
    login_as("finance")
    contracts = csv_bytes(CONTRACT_HEADER, CONTRACTS) if fmt == "csv" else xlsx(CONTRACT_HEADER, CONTRACTS)
    response = send(client, contracts, f"contratos.{fmt}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[html.index("<h1") :][:1500]
    # C1: flat 6 % of 10.000,00 = 600,00; deferred 0,5 % = 50,00 in April and May; Ana's 40 %
    # repasse of each: 240,00 + 20,00 + 20,00. C2 (refin): no row → one "sem tabela" line.
    # C3: 6 % of 1.234,56 = 74,0736 → 74,07; 0,5 % = 6,1728 → 6,17 twice; Bia has no plan.
    assert "3 contrato(s), 10 linha(s)." in html
    assert "1 sem tabela" in html
    assert cell(html, 'data-payee="empresa"') == "R$ 786,41"  # 700,00 + 0,00 + 86,41
    assert cell(html, 'data-payee="ana@x.com"') == "R$ 280,00"
    assert 'data-payee="bia@x.com"' not in html
    assert cell(html, 'data-kind="flat"') == "R$ 674,07"
    assert cell(html, 'data-kind="diferido"') == "R$ 112,34"
    assert cell(html, 'data-kind="repasse"') == "R$ 280,00"
    assert cell(html, 'data-kind="sem_tabela"') == "R$ 0,00"
    assert "6,00% de R$ 10.000,00 (valor bruto)" in html


def test_lines_file_is_offered_for_download_and_holds_every_line(client, login_as):
    login_as("finance")
    html = send(client, csv_bytes(CONTRACT_HEADER, CONTRACTS)).get_data(as_text=True)
    link = html.split('data-testid="download-lines"')[0].rsplit('href="', 1)[1].split('"')[0]
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = download.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "contrato;beneficiario;tipo;competencia;base;percentual;valor;explicacao"
    assert len(rows) == 11
    assert any(r.startswith("C3;empresa;flat;2026-03;1.234,56;6,00;74,07;") for r in rows), rows
    assert any(r.startswith("C1;ana@x.com;repasse;2026-05;50,00;40,00;20,00;") for r in rows), rows


def test_download_of_a_lines_file_from_another_session_is_refused(client, app, db, login_as):
    login_as("finance")
    html = send(client, csv_bytes(CONTRACT_HEADER, CONTRACTS)).get_data(as_text=True)
    link = html.split('data-testid="download-lines"')[0].rsplit('href="', 1)[1].split('"')[0]
    other = app.test_client()
    colleague = factories.user(db, role="finance")
    sign_in(other, db, colleague)  # completes the TOTP step of a finance user
    assert other.get("/finance/calculator").status_code == 200  # signed in, with access
    assert other.get(link).status_code == 404


def test_bad_contracts_are_refused_with_every_line_and_nothing_to_download(client, login_as):
    login_as("finance")
    rows = [
        CONTRACTS[0],
        ["C9", "facta", "new", "INSS", "", "84", "1,80", "1.000,00", "", "", "", "31/02/2026", "ana@x.com"],
        ["C10", "banco-x", "new", "INSS", "", "84", "abc", "1.000,00", "", "", "", "05/03/2026", "ana@x.com"],
    ]
    response = send(client, csv_bytes(CONTRACT_HEADER, rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Linha 3: data_pagamento: data inexistente “31/02/2026”." in html
    assert "Linha 4: banco: banco desconhecido “banco-x”" in html
    assert "Linha 4: taxa:" in html
    assert 'data-testid="download-lines"' not in html and 'data-testid="calculator-result"' not in html


def test_bad_table_row_is_refused_by_line(client, login_as):
    login_as("finance")
    bad = TABLE + "facta;new;INSS;*;96;1;0;3;01/01/2026;;bruto;-1;0;0;0;0;90;pro_rata\n"
    response = send(client, csv_bytes(CONTRACT_HEADER, CONTRACTS), table=bad.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Linha 3: flat: percentual negativo (-1) não é permitido." in html
    assert "Linha 3: faixa de prazo invertida" in html


def test_missing_contracts_file_is_a_422_under_its_field(client, login_as):
    login_as("finance")
    data = {"table": (io.BytesIO(TABLE.encode()), "tabela.csv")}
    response = form_post(client, URL, data, token_page=URL, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Escolha um arquivo." in response.get_data(as_text=True)


def test_binary_file_is_refused(client, login_as):
    login_as("finance")
    response = send(client, b"\x00\x01\x02binario")
    assert response.status_code == 422
    assert "envie uma planilha XLSX ou um arquivo CSV" in response.get_data(as_text=True)


def test_big_contracts_file_runs_as_a_job_with_the_lines_as_its_file(client, app, login_as, manual_runner):
    login_as("finance")
    app.config["CALCULATOR_SYNC_MAX_BYTES"] = 100
    response = send(client, csv_bytes(CONTRACT_HEADER, CONTRACTS))
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    manual_runner.run_all()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 contrato(s), 10 linha(s) calculada(s). 1 sem tabela, 0 com tabela ambígua." in page
    assert "R$ 786,41" in page
    job_id = response.headers["Location"].rstrip("/").split("/")[-1]
    lines = client.get(f"/jobs/{job_id}/file").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 11


def test_calculator_is_finance_only(client, login_as):
    login_as("agent")
    assert client.get(URL).status_code == 403
