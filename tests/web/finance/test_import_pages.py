"""Financeiro · Importações: upload → map once → preview → job → result → desfazer."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.commissions.reports.models import BankReportLine
from tests import factories
from tests.conftest import csrf_token_from
from tests.imports.samples import FACTA_HEADER, FACTA_ROWS

ROWS = [*FACTA_ROWS, ["AF1009", "1,00", "", "muito", "05/03/2026", "T", "FLAT"]]


def _csv(rows=ROWS) -> bytes:
    return ("\n".join(";".join(r) for r in [FACTA_HEADER, *rows]) + "\n").encode()


def _upload(client, data: bytes, name="facta-marco.csv"):
    token = csrf_token_from(client, "/finance/imports/new")
    return client.post(
        "/finance/imports/new",
        data={
            "csrf_token": token,
            "kind": "bank-report",
            "bank_code": "facta",
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _map(client, location: str):
    token = csrf_token_from(client, location)
    form = {
        "csrf_token": token,
        "layout_name": "Facta padrão",
        "map-contract": "CODIGOAF",
        "map-line_date": "DATA",
        "map-credit": "CREDITO",
        "map-debit": "DEBITO",
        "map-description": "DS_TIPOLANCAMENTO",
        "aliases-contract": "CODIGOAF, NR_AF",
    }
    return client.post(location, data=form)


def test_finance_imports_a_bank_report_end_to_end_and_reverts_it(client, db, login_as, manual_runner):
    factories.bank(db, "facta")
    login_as("finance")
    response = _upload(client, _csv())
    assert response.status_code == 303 and response.headers["Location"].endswith("/mapping")
    mapping_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="CODIGOAF" selected' in mapping_page  # proposed from the aliases
    saved = _map(client, response.headers["Location"])
    assert saved.status_code == 303
    detail_url = saved.headers["Location"]
    page = client.get(detail_url).get_data(as_text=True)
    assert "3 linha(s) válida(s), 1 com erro · créditos R$ 900,00 · débitos -R$ 480,00" in page
    assert "Crédito inválido: “muito” não é um valor em reais." in page
    run = client.post(detail_url + "/run", data={"csrf_token": csrf_token_from(client, detail_url)})
    assert run.status_code == 303 and "/jobs/" in run.headers["Location"]
    manual_runner.run_all()
    assert "3 linha(s) importada(s), 0 ignorada(s), 1 com erro." in client.get(
        run.headers["Location"]
    ).get_data(as_text=True)
    result = client.get(detail_url).get_data(as_text=True)
    assert "Importada" in result and "Baixar relatório de problemas" in result
    sheet = load_workbook(io.BytesIO(client.get(detail_url + "/problemas.xlsx").data)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Linha", "Situação", "Motivo"],
        [5, "Erro", "Crédito inválido: “muito” não é um valor em reais."],
    ]
    # The same file again: refused, nothing changes.
    again = _upload(client, _csv(), name="copia.csv")
    assert again.status_code == 422 and "Arquivo já importado em" in again.get_data(as_text=True)
    # The next month's file with the same header is mapped automatically.
    april = _upload(
        client, _csv([["AF2001", "1,00", "", "60,00", "05/04/2026", "T", "FLAT"]]), name="abril.csv"
    )
    assert april.status_code == 303 and not april.headers["Location"].endswith("/mapping")
    # Desfazer needs the confirmation, then removes the lines.
    token = csrf_token_from(client, detail_url)
    assert client.post(detail_url + "/revert", data={"csrf_token": token}).status_code == 422
    done = client.post(detail_url + "/revert", data={"csrf_token": token, "confirm": "sim"})
    assert done.status_code == 303
    assert db.scalar(select(func.count()).select_from(BankReportLine)) == 0
    assert "Desfeita" in client.get(detail_url).get_data(as_text=True)


def test_changed_header_goes_to_quarantine_with_the_differences(client, db, login_as):
    factories.bank(db, "facta")
    login_as("finance")
    _map(client, _upload(client, _csv()).headers["Location"])
    changed = b"CODIGOAF;VLRAF;CREDITO;DATA;HISTORICO\nAF7;1,00;6,00;05/03/2026;FLAT\n"
    response = _upload(client, changed, name="novo.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Em quarentena" in page
        and "Colunas que sumiram: <strong>DEBITO, TABELA, DS_TIPOLANCAMENTO</strong>" in page
    )
    listing = client.get("/finance/imports?status=quarantined").get_data(as_text=True)
    assert "novo.csv" in listing and "facta-marco.csv" not in listing
    export = client.get("/finance/imports?format=csv").get_data(as_text=True)
    assert "novo.csv" in export and "Em quarentena" in export


def test_bad_uploads_get_a_portuguese_message(client, db, login_as):
    factories.bank(db, "facta")
    login_as("finance")
    pdf = _upload(client, b"%PDF-1.4\n%%EOF", name="relatorio.xlsx")
    assert pdf.status_code == 422 and "Envie uma planilha .xlsx ou .csv" in pdf.get_data(as_text=True)
    header_only = _upload(client, (";".join(FACTA_HEADER) + "\n").encode(), name="vazio.csv")
    assert header_only.status_code == 422 and "não tem linhas de dados" in header_only.get_data(as_text=True)


def test_people_outside_finance_cannot_see_imports(client, db, login_as):
    login_as("agent")
    assert client.get("/finance/imports").status_code in (403, 404)
