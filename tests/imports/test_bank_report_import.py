"""The import hub with bank reports: map once, auto-map, quarantine, idempotency, revert."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.commissions.reports.models import BankReportLine
from portal.core.audit import AuditEntry
from portal.core.errors import DomainError
from portal.core.imports import runs, service
from tests.imports.samples import (
    FACTA_MAPPING,
    FACTA_ROWS,
    FINANCE,
    csv_file,
    facta_csv,
    xlsx_file,
)


def _prepare(db, path, bank="facta", **kw):
    return service.prepare(
        db,
        FINANCE,
        kind="bank-report",
        bank_code=bank,
        path=path,
        filename=path.name,
        sha256=runs.file_sha256(path),
        **kw,
    )


def _mapped(db, path):
    record = _prepare(db, path)
    service.save_layout(db, FINANCE, record, name="Facta padrão", mapping=FACTA_MAPPING, aliases={})
    return record


def _lines(db, bank="facta"):
    return list(
        db.scalars(
            select(BankReportLine).where(BankReportLine.bank_code == bank).order_by(BankReportLine.contract)
        )
    )


def test_first_file_is_mapped_once_and_imported_with_signed_amounts(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv", preamble=2, total=True)
    record = _prepare(db, path)
    assert record.status == "mapping"
    assert record.header_line == 3  # two title lines above the header
    assert record.mapping["contract"] == "CODIGOAF" and record.mapping["credit"] == "CREDITO"
    service.save_layout(db, FINANCE, record, name="Facta padrão", mapping=FACTA_MAPPING, aliases={})
    service.execute(db, FINANCE, record, path)
    assert (record.status, record.rows_total, record.imported, record.errors) == ("done", 3, 3, 0)
    got = [(x.contract, x.kind, x.component, x.line_date, x.amount) for x in _lines(db)]
    assert got == [
        ("AF0990", "debito", "estorno", date(2026, 3, 6), Decimal("-480.00")),
        ("AF1001", "credito", "flat", date(2026, 3, 5), Decimal("600.00")),
        ("AF1002", "credito", "flat", date(2026, 3, 5), Decimal("300.00")),
    ]
    assert record.totals == {"credits": "900.00", "debits": "-480.00"}


def test_next_file_with_the_same_header_is_mapped_automatically(db, banks, tmp_path):
    first = facta_csv(tmp_path / "marco.csv")
    service.execute(db, FINANCE, _mapped(db, first), first)
    april = facta_csv(
        tmp_path / "abril.csv",
        rows=[["AF2001", "1000", "", "60", "05/04/2026", "TB01", "COMISSAO FLAT"]],
        sep=",",
    )
    record = _prepare(db, april)
    assert record.status == "ready"  # a comma CSV with the same columns: same fingerprint
    service.execute(db, FINANCE, record, april)
    assert record.imported == 1


def test_changed_header_is_quarantined_with_the_differences_and_nothing_imported(db, banks, tmp_path):
    first = facta_csv(tmp_path / "marco.csv")
    service.execute(db, FINANCE, _mapped(db, first), first)
    header = ["CODIGOAF", "VLRAF", "VALOR_DEBITO", "CREDITO", "DATA", "TABELA", "DS_TIPOLANCAMENTO", "LOJA"]
    changed = csv_file(
        tmp_path / "abril.csv", header, [["AF3001", "1,00", "", "9,00", "05/04/2026", "T", "FLAT", "1"]]
    )
    record = _prepare(db, changed)
    assert record.status == "quarantined"
    assert record.differences == {
        "layout": "Facta padrão",
        "missing": ["DEBITO"],
        "added": ["VALOR_DEBITO", "LOJA"],
        "moved": [],
    }
    assert "mudou" in record.message
    with pytest.raises(DomainError):
        service.execute(db, FINANCE, record, changed)
    assert len(_lines(db)) == 3


def test_same_file_again_changes_nothing_and_says_when_it_came_in(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _mapped(db, path)
    service.execute(db, FINANCE, record, path)
    # the day in São Paulo (the machine's own zone may already be the next day)
    when = record.created_at.astimezone(ZoneInfo("America/Sao_Paulo")).strftime("%d/%m/%Y")
    with pytest.raises(DomainError, match=rf"Arquivo já importado em {when} \(importação nº {record.id}\)"):
        _prepare(db, path)
    assert len(_lines(db)) == 3


def test_overlapping_file_skips_lines_already_reported(db, banks, tmp_path):
    first = facta_csv(tmp_path / "a.csv")
    service.execute(db, FINANCE, _mapped(db, first), first)
    extra = ["AF1003", "2.000,00", "", "120,00", "07/03/2026", "TB01", "COMISSAO FLAT"]
    second = facta_csv(tmp_path / "b.csv", rows=[*FACTA_ROWS[:2], extra, extra])
    record = _prepare(db, second)
    service.execute(db, FINANCE, record, second)
    assert (record.imported, record.skipped) == (1, 3)
    reasons = [p[2] for p in record.problems]
    assert reasons[:2] == ["Lançamento repetido (igual ao da linha 4).", *reasons[1:2]]
    assert any("já importado (importação nº" in r for r in reasons)
    assert len(_lines(db)) == 4


def test_a_file_over_several_batches_keeps_every_problem_in_line_order(db, banks, tmp_path, monkeypatch):
    """Batches of two lines: on PostgreSQL each is stored while the next is read."""
    first = facta_csv(tmp_path / "a.csv")
    earlier = _mapped(db, first)
    service.execute(db, FINANCE, earlier, first)
    monkeypatch.setattr(service, "BATCH_ROWS", 2)
    rows = [
        ["AF2001", "1,00", "", "100,00", "10/03/2026", "T", "COMISSAO FLAT"],  # line 2
        ["AF2002", "1,00", "", "200,00", "10/03/2026", "T", "COMISSAO FLAT"],  # line 3
        ["AF2009", "1,00", "", "dez reais", "10/03/2026", "T", "COMISSAO FLAT"],  # line 4
        ["AF2001", "1,00", "", "100,00", "10/03/2026", "T", "COMISSAO FLAT"],  # line 5: as line 2
        FACTA_ROWS[0],  # line 6: in the earlier import
        ["AF2003", "1,00", "50,00", "", "11/03/2026", "T", "ESTORNO"],  # line 7
        ["AF2003", "1,00", "50,00", "", "11/03/2026", "T", "ESTORNO"],  # line 8: as line 7
        ["AF2004", "1,00", "", "10,00", "31/02/2026", "T", "COMISSAO FLAT"],  # line 9
    ]
    path = facta_csv(tmp_path / "b.csv", rows=rows)
    record = _prepare(db, path)
    service.execute(db, FINANCE, record, path)
    assert (record.rows_total, record.imported, record.skipped, record.errors) == (8, 3, 3, 2)
    assert record.problems == [
        [4, "error", "Crédito inválido: “dez reais” não é um valor em reais."],
        [5, "skipped", "Lançamento repetido no arquivo."],
        [6, "skipped", f"Lançamento já importado (importação nº {earlier.id})."],
        [8, "skipped", "Lançamento repetido (igual ao da linha 7)."],
        [9, "error", "Data inválida: “31/02/2026” (use dd/mm/aaaa)."],
    ]
    mine = db.scalars(select(BankReportLine).where(BankReportLine.import_id == record.id))
    assert sorted((line.contract, line.amount) for line in mine) == [
        ("AF2001", Decimal("100.00")),
        ("AF2002", Decimal("200.00")),
        ("AF2003", Decimal("-50.00")),
    ]
    assert service.revert(db, FINANCE, record) == 3
    assert len(_lines(db)) == 3


def test_row_errors_are_reported_with_line_and_reason_and_the_rest_imported(db, banks, tmp_path):
    rows = [
        FACTA_ROWS[0],
        ["AF1005", "1,00", "", "dez reais", "05/03/2026", "T", "FLAT"],
        ["AF1006", "1,00", "", "10,00", "31/02/2026", "T", "FLAT"],
        ["", "1,00", "", "10,00", "05/03/2026", "T", "FLAT"],
    ]
    path = facta_csv(tmp_path / "erros.csv", rows=rows)
    record = _mapped(db, path)
    preview = service.preview(record, path)
    assert preview.valid == 1 and preview.credits == Decimal("600.00")
    assert preview.errors == [
        (3, "Crédito inválido: “dez reais” não é um valor em reais."),
        (4, "Data inválida: “31/02/2026” (use dd/mm/aaaa)."),
        (5, "Contrato em branco."),
    ]
    service.execute(db, FINANCE, record, path)
    assert (record.imported, record.errors) == (1, 3)


def test_revert_deletes_the_lines_is_audited_and_allows_the_file_again(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _mapped(db, path)
    service.execute(db, FINANCE, record, path)
    assert service.revert(db, FINANCE, record) == 3
    assert record.status == "reverted" and _lines(db) == []
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "imports.reverted"))
    assert entry is not None and entry.target == f"data_import:{record.id}"
    again = _prepare(db, path)
    assert again.status == "ready"
    service.execute(db, FINANCE, again, path)
    assert db.scalar(select(func.count()).select_from(BankReportLine)) == 3


def test_xlsx_with_excel_serial_dates_numbers_and_a_chosen_sheet(db, banks, tmp_path):
    header = ["Contrato", "VL PRINCIPAL", "VL COMISSAO", "DT PAGAMENTO", "PARCELA", "TIPO"]
    rows = [["C6-1", 10000, 250.5, 46086, 1, "DIFERIDO"], ["C6-2", 8000, -120, "05/03/2026", None, "ESTORNO"]]
    path = xlsx_file(tmp_path / "c6.xlsx", header, rows, preamble=1, sheets=("Resumo",))
    record = _prepare(db, path, bank="c6")
    assert record.sheets == ["Comissões", "Resumo"] and record.sheet == "Comissões"
    assert record.mapping == {
        "contract": "Contrato",
        "line_date": "DT PAGAMENTO",
        "amount": "VL COMISSAO",
        "description": "TIPO",
        "installment": "PARCELA",
        "base": "VL PRINCIPAL",
    }
    service.save_layout(db, FINANCE, record, name="C6", mapping=record.mapping, aliases={})
    service.execute(db, FINANCE, record, path)
    got = [(x.contract, x.line_date, x.amount, x.installment, x.component) for x in _lines(db, "c6")]
    assert got == [
        ("C6-1", date(2026, 3, 5), Decimal("250.50"), 1, "diferido"),
        ("C6-2", date(2026, 3, 5), Decimal("-120.00"), None, "estorno"),
    ]


def test_saved_aliases_propose_the_mapping_of_a_new_header(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _prepare(db, path)
    service.save_layout(
        db, FINANCE, record, name="Facta", mapping=FACTA_MAPPING, aliases={"contract": ["NR_AF"]}
    )
    other = csv_file(
        tmp_path / "x.csv", ["NR_AF", "CREDITO", "DEBITO", "DATA"], [["AF9", "1,00", "", "01/03/2026"]]
    )
    held = _prepare(db, other)
    assert held.status == "quarantined" and held.mapping["contract"] == "NR_AF"
