"""The per-bank inbox sweep and `flask import-file` do what the page does."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.commissions.reports.models import BankReportLine
from portal.core.imports import inbox, runs, service
from portal.core.imports.models import DataImport
from tests.imports.samples import FACTA_HEADER, FACTA_MAPPING, FINANCE, csv_file, facta_csv


def _layout(db, tmp_path):
    path = facta_csv(tmp_path / "modelo.csv", rows=[["AF1", "1", "", "6", "01/01/2026", "T", "FLAT"]])
    record = service.prepare(
        db,
        FINANCE,
        kind="bank-report",
        bank_code="facta",
        path=path,
        filename="modelo.csv",
        sha256=runs.file_sha256(path),
    )
    service.save_layout(db, FINANCE, record, name="Facta", mapping=FACTA_MAPPING, aliases={})


def test_inbox_imports_holds_and_refuses_moving_every_file(db, banks, tmp_path):
    _layout(db, tmp_path)
    folder = tmp_path / "inbox" / "facta"
    folder.mkdir(parents=True)
    facta_csv(folder / "marco.csv")
    csv_file(folder / "novo-layout.csv", ["CONTRATO", "VALOR", "DATA"], [["AF9", "10,00", "05/03/2026"]])
    (folder / "lixo.xlsx").write_bytes(b"%PDF-1.4 nada")
    outcome = inbox.sweep(db, FINANCE, tmp_path, min_age_seconds=0)
    assert (outcome.imported, outcome.held, outcome.refused) == (1, 1, 1)
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == []
    assert [p.name.split("-", 2)[2] for p in (folder / "processados").iterdir()] == ["marco.csv"]
    assert [p.name.split("-", 2)[2] for p in (folder / "quarentena").iterdir()] == ["novo-layout.csv"]
    assert [p.name.split("-", 2)[2] for p in (folder / "recusados").iterdir()] == ["lixo.xlsx"]
    assert db.scalar(select(func.count()).select_from(BankReportLine)) == 3
    held = db.scalar(select(DataImport).where(DataImport.status == "quarantined"))
    assert held.source == "inbox" and held.storage_name and held.differences["missing"]
    refused = db.scalar(select(DataImport).where(DataImport.status == "failed"))
    assert refused.message.startswith("Formato não reconhecido")
    # The same file dropped again is recognised and simply filed away.
    facta_csv(folder / "marco.csv")
    again = inbox.sweep(db, FINANCE, tmp_path, min_age_seconds=0)
    assert again.imported == 1 and db.scalar(select(func.count()).select_from(BankReportLine)) == 3


def test_inbox_leaves_a_file_still_being_written(db, banks, tmp_path):
    folder = tmp_path / "inbox" / "facta"
    folder.mkdir(parents=True)
    facta_csv(folder / "chegando.csv")
    outcome = inbox.sweep(db, FINANCE, tmp_path, min_age_seconds=3600)
    assert (outcome.imported, outcome.held, outcome.refused) == (0, 0, 0)
    assert (folder / "chegando.csv").exists()


def test_cli_imports_and_refuses_in_portuguese(app, db, banks, tmp_path, monkeypatch):
    _layout(db, tmp_path)
    runner = app.test_cli_runner()
    good = facta_csv(tmp_path / "marco.csv")
    result = runner.invoke(args=["import-file", str(good), "--kind", "bank-report", "--bank", "facta"])
    assert result.exit_code == 0, result.output
    assert "3 linha(s) importada(s), 0 ignorada(s), 0 com erro" in result.output
    again = runner.invoke(args=["import-file", str(good), "--kind", "bank-report", "--bank", "facta"])
    assert again.exit_code == 1 and "Arquivo já importado em" in again.output
    changed = csv_file(
        tmp_path / "mudou.csv",
        [*FACTA_HEADER[:-1], "HISTORICO"],
        [["AF5", "1", "", "6", "05/03/2026", "T", "FLAT"]],
    )
    held = runner.invoke(
        args=["import-file", str(changed), "--kind", "bank-report", "--bank", "facta", "--layout", "Facta"]
    )
    assert (
        held.exit_code == 2 and "quarentena" in held.output and "Faltando: DS_TIPOLANCAMENTO" in held.output
    )
    unknown = runner.invoke(args=["import-file", str(good), "--kind", "bank-report", "--bank", "nada"])
    assert unknown.exit_code == 1 and "Banco “nada” não cadastrado" in unknown.output
