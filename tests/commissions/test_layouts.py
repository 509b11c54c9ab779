"""The commission file layouts: what they accept, what they refuse (with the line), round trips."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from portal.commissions.layouts import (
    DEMO_BANKS,
    TABLE_COLUMNS,
    LayoutError,
    iter_contracts,
    read_plans,
    read_table_rows,
    write_table_rows,
)  # fmt: skip
from portal.commissions.types import CalcBase, ClawbackRule, EndReason

from .builders import row

HEADER = ";".join(TABLE_COLUMNS)
GOOD = "facta;Empréstimo novo;INSS;*;1;96;0;3,5;01/01/2026;;bruto;6,00;0,50;12;0;15,00;90;pro_rata"
CONTRACTS = "contrato;banco;produto;convenio;tabela;prazo;taxa;valor_bruto;valor_liquido;troco;seguro;data_pagamento;corretor"  # noqa: E501


def write(path, *lines, encoding="utf-8"):  # noqa: ANN001, ANN201
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_reads_labels_brazilian_numbers_and_latin1(tmp_path):
    lines = [HEADER, GOOD, "FACTA;EMPRESTIMO NOVO;SIAPE;T1;1;12;0;1.234,5;01/01/2026;31/12/2026;liquido;1;0;0;0;0;0;integral"]  # noqa: E501
    [first, second] = read_table_rows(write(tmp_path / "t.csv", *lines, encoding="latin-1"), banks=DEMO_BANKS)
    assert (first.product, first.flat, first.fixed, first.line_no) == ("new", Decimal("6.00"), Decimal("15.00"), 2)  # noqa: E501
    assert first.ref == "tabela Facta linha 2"
    assert (second.bank, second.rate_to, second.valid_to) == ("facta", Decimal("1234.5"), date(2026, 12, 31))
    assert (second.base, second.clawback_rule) == (CalcBase.NET, ClawbackRule.FULL)


def test_every_bad_line_is_refused_with_its_number(tmp_path):
    lines = [
        HEADER,
        GOOD,
        GOOD,  # line 3: same specificity and overlapping ranges as line 2
        "xpto;novo;INSS;*;96;12;0;abc;31/02/2026;;bruto;-1;0;0;0;0;90;pro_rata",
    ]
    with pytest.raises(LayoutError) as caught:
        read_table_rows(write(tmp_path / "t.csv", *lines), banks=DEMO_BANKS)
    messages = [f"{n}: {m}" for n, m in caught.value.errors]
    assert messages[0].startswith("3: sobrepõe a linha 2 com a mesma especificidade")
    assert "4: banco: banco desconhecido “xpto”" in messages[1]
    assert "4: produto: produto desconhecido “novo”." in messages
    assert "4: taxa_ate: Valor inválido: “abc”. Use o formato 1.234,56." in messages
    assert "4: vigencia_de: data inexistente “31/02/2026”." in messages
    assert "4: flat: percentual negativo (-1) não é permitido." in messages
    assert "4: faixa de prazo invertida: prazo_de (96) maior que prazo_ate (12)." in messages
    assert "Linha 3:" in caught.value.message


def test_narrower_row_inside_a_wider_one_is_not_an_overlap(tmp_path):
    narrow = GOOD.replace(";1;96;", ";84;84;")
    assert len(read_table_rows(write(tmp_path / "t.csv", HEADER, GOOD, narrow), banks=DEMO_BANKS)) == 2


def test_extra_bank_codes_are_accepted_when_given(tmp_path):
    path = write(tmp_path / "t.csv", HEADER, GOOD.replace("facta", "inter"))
    with pytest.raises(LayoutError):
        read_table_rows(path, banks=DEMO_BANKS)
    assert read_table_rows(path, banks=DEMO_BANKS | {"inter"})[0].bank == "inter"


def test_missing_header_column_is_refused(tmp_path):
    with pytest.raises(LayoutError, match="cabeçalho sem a\\(s\\) coluna\\(s\\) estorno_regra"):
        read_table_rows(write(tmp_path / "t.csv", HEADER.rsplit(";", 1)[0], GOOD), banks=DEMO_BANKS)


def test_contracts_stream_and_refuse_bad_lines_at_the_end(tmp_path):
    path = write(
        tmp_path / "c.csv",
        CONTRACTS + ";data_encerramento;motivo_encerramento",
        "C1;facta;new;INSS;T1;84;1,85;10.000,00;9.500,00;;;05/03/2026;Ana@Demo.Athenas;25/03/2026;cancelamento",  # noqa: E501
        "C2;facta;new;INSS;T1;84;1,85;10.000,00;;;;05/03/2026;ana@demo.athenas;04/03/2026;quitacao",
    )
    seen = []
    with pytest.raises(LayoutError) as caught:
        for item in iter_contracts(path, banks=DEMO_BANKS):
            seen.append(item)
    assert [c.number for c in seen] == ["C1"]
    assert seen[0].agent == "ana@demo.athenas" and seen[0].end_reason is EndReason.CANCELLATION
    assert caught.value.errors == [(3, "data_encerramento anterior à data_pagamento.")]


def test_plans_refuse_overlapping_validity(tmp_path):
    path = write(
        tmp_path / "p.csv",
        "colaborador;vigencia_de;vigencia_ate;sobre;percentual",
        "ana@demo.athenas;01/01/2026;30/06/2026;comissao;40",
        "ana@demo.athenas;01/07/2026;;comissao;45",
        "ana@demo.athenas;01/01/2026;;producao;1,5",
        "ana@demo.athenas;15/06/2026;;comissao;50",
    )
    with pytest.raises(LayoutError) as caught:
        read_plans(path)
    assert caught.value.errors == [(5, "vigência sobreposta à do plano da linha 2 (ana@demo.athenas, comissao).")]  # noqa: E501


def test_xlsx_table_is_read(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(list(TABLE_COLUMNS))
    ws.append(["facta", "Portabilidade", "INSS", "*", 1, 96, 0, 3.5, date(2026, 1, 1), None, "troco",
               3, 0, 0, 0.5, 0, 60, "integral"])  # fmt: skip
    wb.save(tmp_path / "t.xlsx")
    [item] = read_table_rows(tmp_path / "t.xlsx", banks=DEMO_BANKS)
    assert (item.product, item.rate_to, item.bonus, item.valid_from) == (
        "portability", Decimal("3.5"), Decimal("0.5"), date(2026, 1, 1))


two_places = st.integers(0, 99_999).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def table_rows(draw):  # noqa: ANN001, ANN201
    count = draw(st.integers(1, 6))
    rows = []
    for index in range(count):
        start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 900)))
        end = draw(st.none() | st.integers(0, 400).map(lambda d, s=start: s + timedelta(days=d)))
        rows.append(row(
            bank=draw(st.sampled_from(sorted(DEMO_BANKS))), product=draw(st.sampled_from(["new", "refin", "card"])),  # noqa: E501
            agreement=f"CONV{index}", table_code=draw(st.sampled_from(["*", "T1", "001"])),
            term_from=draw(st.integers(1, 50)), term_to=draw(st.integers(50, 120)),
            rate_from=draw(two_places) / 100, rate_to=Decimal("9.9999"), valid_from=start, valid_to=end,
            base=draw(st.sampled_from(CalcBase)), flat=draw(two_places) / 1000, deferred=Decimal("0.25"),
            deferred_months=draw(st.integers(1, 24)), bonus=draw(two_places) / 1000, fixed=draw(two_places),
            clawback_days=draw(st.integers(0, 365)), clawback_rule=draw(st.sampled_from(ClawbackRule)),
            version_label="Facta v3", line_no=index + 2,
        ))  # fmt: skip
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table_rows(), st.sampled_from(["csv", "xlsx"]))
def test_export_then_import_is_the_identity(tmp_path, rows, extension):  # noqa: ANN001
    path = tmp_path / f"tabela.{extension}"
    write_table_rows(rows, path)
    assert read_table_rows(path, banks=DEMO_BANKS, version_label="Facta v3") == rows
