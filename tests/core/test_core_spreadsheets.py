"""Exports (CSV/XLSX keep types and formats) and bank-file imports (XLSX, CSV, HTML-as-.xls)."""

import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from portal.core.errors import DomainError
from portal.core.spreadsheets import (
    DATE_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    iter_csv,
    parse_br_number,
    read_table,
    write_xlsx,
)

HEADERS = ["Contrato", "Cliente", "Valor bruto", "Taxa", "Data", "Atualizado em", "Parcelas"]


def _rows(count=3):
    for i in range(count):
        yield [
            f"CT-{i:04d}",
            "José da Conceição" if i == 0 else '=HYPERLINK("http://mal")',
            Decimal("1234.56") + i,
            Decimal("1.85"),
            date(2024, 1, 31),
            datetime(2024, 2, 1, 15, 30, tzinfo=UTC),
            84,
        ]


# ------------------------------------------------------------------ writing


def test_write_xlsx_keeps_types_and_formats():
    data = write_xlsx(HEADERS, _rows(), "Produção: janeiro/2024", formats={"Taxa": PERCENT_FORMAT})
    assert data.startswith(b"PK")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "Produção  janeiro 2024"  # characters Excel forbids are replaced
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    money = ws["C2"]
    assert money.data_type == "n" and money.value == pytest.approx(1234.56)
    assert money.number_format == MONEY_FORMAT
    assert ws["D2"].number_format == PERCENT_FORMAT
    assert isinstance(ws["E2"].value, datetime) and ws["E2"].value.date() == date(2024, 1, 31)
    assert ws["E2"].number_format == DATE_FORMAT
    # Aware timestamps are shown in Brasília time (UTC-3).
    assert ws["F2"].value == datetime(2024, 2, 1, 12, 30)
    assert ws["G2"].value == 84 and ws["G2"].data_type == "n"
    assert ws["B2"].value == "José da Conceição"
    # A user-typed formula is kept as literal text, never evaluated.
    assert ws["B3"].data_type == "s" and ws["B3"].value.startswith("=HYPERLINK")
    assert ws.max_row == 4


def test_write_xlsx_to_path(tmp_path):
    target = tmp_path / "export.xlsx"
    assert write_xlsx(["A"], [[1], [2]], path=target) is None
    assert [r[0] for r in load_workbook(target).active.iter_rows(values_only=True)] == ["A", 1, 2]


def test_write_xlsx_streams_a_generator_of_many_rows():
    rows = ([i, Decimal(i) / 100] for i in range(20_000))
    wb = load_workbook(io.BytesIO(write_xlsx(["N", "Valor"], rows)), read_only=True)
    values = list(wb.active.iter_rows(values_only=True))
    assert len(values) == 20_001
    assert values[-1] == (19_999, pytest.approx(199.99))


def test_iter_csv_is_brazilian_excel_friendly():
    chunks = list(iter_csv(HEADERS, _rows(5), chunk_rows=2))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbf")
    assert not any(c.startswith(b"\xef\xbb\xbf") for c in chunks[1:])
    text = b"".join(chunks).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert records[0] == HEADERS
    assert records[1] == [
        "CT-0000",
        "José da Conceição",
        "1234,56",
        "1,85",
        "31/01/2024",
        "01/02/2024 12:30",
        "84",
    ]
    assert records[2][1].startswith("'=")  # CSV injection neutralised
    assert len(records) == 6


def test_iter_csv_with_no_rows_still_has_header():
    assert b"".join(iter_csv(["A", "B"], [])) == b"\xef\xbb\xbfA;B\r\n"


# ------------------------------------------------------------------ reading


BANK_CSV = (
    "Relatório de Produção - Banco Exemplo\n"
    "Período: 01/01/2024 a 31/01/2024\n"
    "Contrato;CPF;Cliente;Valor Liberado;Comissão (%)\n"
    "123;529.982.247-25;Maria José;1.234,56;1,85\n"
    ";;;;\n"
    "124;111.444.777-35;João Antônio;10.000,00;2,10\n"
    "\n"
    "TOTAL;;;11.234,56;\n"
)


def test_read_csv_with_semicolons_decimal_commas_header_on_row_3_and_total_row():
    raw = BANK_CSV.encode("cp1252")  # what Excel "CSV (separado por vírgulas)" writes
    table = read_table(raw, "producao.csv", expected_columns=["contrato", "valor liberado"])
    assert table.source_format == "csv"
    assert table.headers == ["Contrato", "CPF", "Cliente", "Valor Liberado", "Comissão (%)"]
    assert table.header_row == 3
    assert [r["Contrato"] for r in table.rows] == ["123", "124"]
    assert table.row_numbers == [4, 6]
    assert table.rows[0]["Cliente"] == "Maria José"
    assert parse_br_number(table.rows[0]["Valor Liberado"]) == Decimal("1234.56")
    assert parse_br_number(table.rows[1][table.column("comissao %")]) == Decimal("2.10")
    assert table.sha256 == hashlib.sha256(raw).hexdigest()


def test_read_csv_without_expected_columns_uses_the_first_text_row():
    table = read_table(BANK_CSV.encode("utf-8"), "producao.csv")
    assert table.header_row == 3
    assert len(table.rows) == 2


def test_read_csv_with_commas_and_numeric_sums_after_blank(tmp_path):
    content = 'contrato,valor,parcelas\nA1,"1.500,00",84\nA2,200.5,12\n,,\n,"1.700,50",96\n'
    path = tmp_path / "banco.txt"
    path.write_text(content, encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["contrato", "valor", "parcelas"]
    assert [r["contrato"] for r in table.rows] == ["A1", "A2"]
    assert table.rows[0]["valor"] == "1.500,00"


def test_missing_expected_header_is_a_portuguese_domain_error():
    with pytest.raises(DomainError, match="Cabeçalho não encontrado"):
        read_table(BANK_CSV.encode(), "x.csv", expected_columns=["proposta", "banco"])


BANK_HTML = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<style>td { color: red }</style></head><body>
<table><tr><td><b>Banco Exemplo S.A.</b></td></tr>
<tr><td>Extrato de comiss&otilde;es</td></tr></table>
<table border="1">
  <tr><th colspan="2">Dados do contrato</th><th>Valores</th></tr>
  <tr><th>N&ordm; Contrato</th><th>Cliente</th><th>Comissão</th></tr>
  <tr><td>9001</td><td>Ana&nbsp;Conceição</td><td>R$ 1.234,56</td></tr>
  <tr><td>9002</td><td>Luís<br>Araújo</td><td>R$ 99,90</td></tr>
  <tr><td></td><td></td><td></td></tr>
  <tr><td>Total geral</td><td></td><td>R$ 1.334,46</td></tr>
</table></body></html>"""


def test_read_html_table_saved_as_xls():
    raw = BANK_HTML.encode("iso-8859-1", errors="strict")
    table = read_table(raw, "extrato.xls", expected_columns=["nº contrato", "cliente", "comissao"])
    assert table.source_format == "html"
    assert table.headers == ["Nº Contrato", "Cliente", "Comissão"]
    assert table.rows == [
        {"Nº Contrato": "9001", "Cliente": "Ana Conceição", "Comissão": "R$ 1.234,56"},
        {"Nº Contrato": "9002", "Cliente": "Luís Araújo", "Comissão": "R$ 99,90"},
    ]


def _xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_read_real_xlsx_converts_cells_to_brazilian_text():
    raw = _xlsx_bytes(
        [
            ["Relatório"],
            [],
            ["CPF", "Valor", "Data", "Taxa", "Cliente"],
            [52998224725, 1234.5, datetime(2024, 3, 5), 1.85, "  Maria   Silva "],
            [11144477735, 10, datetime(2024, 3, 6, 10, 0), 0.0185, None],
            [None, None, None, None, None],
            ["Total", 1244.5, None, None, None],
        ]
    )
    table = read_table(raw, "planilha.xlsx", expected_columns=["cpf", "valor"])
    assert table.source_format == "xlsx"
    assert table.header_row == 3
    assert table.rows == [
        {"CPF": "52998224725", "Valor": "1234,5", "Data": "05/03/2024", "Taxa": "1,85",
         "Cliente": "Maria Silva"},
        {"CPF": "11144477735", "Valor": "10", "Data": "06/03/2024 10:00:00", "Taxa": "0,0185",
         "Cliente": ""},
    ]  # fmt: skip
    assert parse_br_number(table.rows[1]["Taxa"]) == Decimal("0.0185")


def test_exported_xlsx_reads_back():
    data = write_xlsx(HEADERS, _rows(2))
    table = read_table(data, "export.xlsx", expected_columns=HEADERS)
    assert table.rows[1]["Valor bruto"] == "1235,56"
    assert table.rows[0]["Data"] == "31/01/2024"


def test_duplicate_and_missing_headers_get_unique_names():
    table = read_table(b"Nome;Valor;;Valor\nA;1;x;2\n", "a.csv")
    assert table.headers == ["Nome", "Valor", "Coluna 3", "Valor (2)"]
    assert table.rows[0]["Valor (2)"] == "2"


def test_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(DomainError, match="zip bomb"):
        read_table(data, "bomba.xlsx")


def test_other_unsupported_files():
    with pytest.raises(DomainError, match=r"\.xls antigo não suportado"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "velho.xls")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("foto.jpg", b"x")
    with pytest.raises(DomainError, match="não é uma planilha"):
        read_table(buffer.getvalue(), "fotos.zip")
    with pytest.raises(DomainError, match="vazio"):
        read_table(b"  \n", "vazio.csv")
    with pytest.raises(DomainError, match="muito grande"):
        read_table(b"a;b\n" * 1000, "grande.csv", max_bytes=1000)
    with pytest.raises(DomainError, match="inválida"):
        read_table(b"PK\x03\x04 not really a zip", "quebrado.xlsx")
