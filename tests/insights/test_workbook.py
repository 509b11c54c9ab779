"""The monthly workbook: real XLSX, hand-computed figures, totals as formulas."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from portal.core.spreadsheets import MONEY_FORMAT
from portal.insights.workbook import SHEETS, build_workbook
from tests.insights.fixtures import PERIOD, month


def _values(ws) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def book(db):
    month(db)
    content = build_workbook(db, PERIOD, date(2031, 6, 30))
    return openpyxl.load_workbook(io.BytesIO(content))


def test_five_sheets_in_order(book):
    assert (
        book.sheetnames == list(SHEETS) == ["Produção", "Comissões", "Conciliação", "Rankings", "Pagamentos"]
    )


def test_production_by_bank_product_and_store(book):
    rows = _values(book["Produção"])
    assert rows[0] == ["Banco", "Produto", "Loja", "Contratos", "Valor bruto", "Valor líquido"]
    assert rows[1:4] == [
        ["C6", "Refinanciamento", "Loja Norte", 1, 20000, 3000],
        ["Facta", "Empréstimo novo", "Loja Centro", 2, 15000, 14300],
        ["Facta", "Empréstimo novo", "Loja Norte", 1, 1000.5, 900.25],
    ]
    assert rows[4] == ["Total", None, None, "=SUM(D2:D4)", "=SUM(E2:E4)", "=SUM(F2:F4)"]
    assert len(rows) == 5


def test_money_is_a_number_with_the_brl_format(book):
    ws = book["Produção"]
    assert ws["E3"].data_type == "n" and ws["E3"].number_format == MONEY_FORMAT
    assert ws["E5"].data_type == "f" and ws["E5"].number_format == MONEY_FORMAT


def test_commissions_by_payee_and_component(book):
    rows = _values(book["Comissões"])
    assert rows[0] == ["Beneficiário", "Componente", "Lançamentos", "Valor"]
    assert rows[1:5] == [
        ["Empresa", "Comissão à vista", 3, 1050],
        ["Ana Souza", "Estorno", 1, -20],
        ["Ana Souza", "Repasse", 2, 180],
        ["Bruno Lima", "Repasse", 1, 240],
    ]
    assert rows[5] == ["Total", None, "=SUM(C2:C5)", "=SUM(D2:D5)"]


def test_reconciliation_expected_reported_received_per_bank(book):
    rows = _values(book["Conciliação"])
    assert rows[1:3] == [
        # c6: 600 expected, nothing reported nor received; missing after 30 days → open.
        ["C6", 600, 0, 0, -600, 0, 1],
        # facta: 300 + 150 expected, 300 + 140 reported, 400 received; C-2 off by 10 → open.
        ["Facta", 450, 440, 400, -10, -40, 1],
    ]
    assert rows[3] == [
        "Total",
        "=SUM(B2:B3)",
        "=SUM(C2:C3)",
        "=SUM(D2:D3)",
        "=SUM(E2:E3)",
        "=SUM(F2:F3)",
        "=SUM(G2:G3)",
    ]


def test_rankings_of_stores_and_agents(book):
    rows = _values(book["Rankings"])
    assert rows[1:8] == [
        ["Lojas", 1, "Loja Norte", 2, 21000.5],
        ["Lojas", 2, "Loja Centro", 2, 15000],
        ["Total das lojas", None, None, "=SUM(D2:D3)", "=SUM(E2:E3)"],
        [None, None, None, None, None],
        ["Corretores", 1, "Bruno Lima", 2, 21000.5],
        ["Corretores", 2, "Ana Souza", 2, 15000],
        ["Total dos corretores", None, None, "=SUM(D6:D7)", "=SUM(E6:E7)"],
    ]


def test_payouts_of_approved_and_paid_statements(book):
    rows = _values(book["Pagamentos"])
    assert [r[:2] + r[3:5] for r in rows[1:3]] == [
        ["Ana Souza", "Loja Centro", "Aprovado", 160],
        ["Bruno Lima", "Loja Norte", "Pago", 240],
    ]
    assert rows[2][5].date() == date(2031, 4, 5) and rows[2][6] == "PIX"
    assert rows[3][0] == "Total" and rows[3][4] == "=SUM(E2:E3)"


def test_an_empty_month_still_has_headers_and_formula_totals(db):
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(db, "2031-09", date(2031, 10, 1))))
    rows = _values(wb["Pagamentos"])
    assert rows[1][0] == "Sem movimento no período"
    assert rows[2][4] == "=SUM(E2:E2)"


def test_a_name_that_looks_like_a_formula_stays_text(db):
    from tests import factories

    data = month(db)
    data.ana.name = '=HYPERLINK("http://x")'
    db.flush()
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(db, PERIOD, date(2031, 6, 30))))
    cell = wb["Rankings"]["C7"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert factories  # the fixture module built the data through the factories


def test_money_totals_match_hand_sums(book):
    # What Excel shows for the formulas: sum the value cells the formula covers.
    ws = book["Produção"]
    assert sum(Decimal(str(ws[f"E{r}"].value)) for r in range(2, 5)) == Decimal("36000.50")
