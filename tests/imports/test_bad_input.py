"""Bad files: each refused with a clear Portuguese message, nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.commissions.reports.models import BankReportLine
from portal.core import upload_checks
from portal.core.errors import DomainError
from portal.core.imports import runs
from portal.core.imports.models import DataImport
from portal.core.spreadsheets import iter_csv, write_xlsx
from tests.imports.samples import FACTA_HEADER, FINANCE, csv_file


def _import(db, tmp_path, path):
    return runs.import_path(
        db, FINANCE, path, kind="bank-report", bank_code="facta", source="cli", storage_dir=tmp_path
    )


def _refused(db, tmp_path, path, message):
    with pytest.raises(DomainError) as caught:
        _import(db, tmp_path, path)
    assert message in caught.value.message
    assert db.scalar(select(func.count()).select_from(BankReportLine)) == 0
    assert db.scalar(select(func.count()).select_from(DataImport)) == 0


def test_wrong_file_type(db, banks, tmp_path):
    path = tmp_path / "relatorio.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF")
    _refused(db, tmp_path, path, "Formato não reconhecido: envie uma planilha .xlsx, .csv")


def test_password_protected_xlsx(db, banks, tmp_path):
    # What Excel writes when a password is set: an OLE compound file with an EncryptedPackage stream.
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 600
    )
    path = tmp_path / "protegida.xlsx"
    path.write_bytes(ole)
    _refused(db, tmp_path, path, "Planilha protegida por senha")
    with pytest.raises(DomainError, match="protegida por senha"):
        upload_checks.check_spreadsheet(ole, "protegida.xlsx", max_bytes=10**7)


def test_zip_bomb_disguised_as_xlsx(db, banks, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    path = tmp_path / "bomba.xlsx"
    path.write_bytes(buffer.getvalue())
    _refused(db, tmp_path, path, "possível zip bomb")


def test_formulas_without_calculated_values_are_refused(db, banks, tmp_path):
    wb = Workbook()
    wb.active.append(FACTA_HEADER)
    wb.active.append(["AF1", "1000", None, "=B2*0.06", "05/03/2026", "T", "FLAT"])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)
    _refused(db, tmp_path, path, "fórmulas sem valor calculado")


def test_csv_with_another_separator(db, banks, tmp_path):
    path = csv_file(
        tmp_path / "hash.csv", FACTA_HEADER, [["AF1", "1", "", "6", "05/03/2026", "T", "FLAT"]], sep="#"
    )
    _refused(db, tmp_path, path, "O arquivo tem uma coluna só")


def test_file_with_no_rows(db, banks, tmp_path):
    _refused(db, tmp_path, csv_file(tmp_path / "vazio.csv", FACTA_HEADER, []), "não tem linhas de dados")
    empty = tmp_path / "zero.csv"
    empty.write_bytes(b"")
    _refused(db, tmp_path, empty, "O arquivo está vazio.")


def test_html_with_script_is_refused_at_the_gate():
    page = b"<html><table><tr><td>a</td></tr></table><script>alert(1)</script></html>"
    with pytest.raises(DomainError, match="Envie uma planilha"):
        upload_checks.check_spreadsheet(page, "x.xls", max_bytes=10**6, allow_html=True)
    assert (
        upload_checks.check_spreadsheet(
            page.replace(b"<script>alert(1)</script>", b""), "x.xls", max_bytes=10**6, allow_html=True
        )
        == "html"
    )


def test_exports_escape_cells_that_start_like_formulas():
    hostile = ["=1+2", "+55 11", "-2+3", "@SUM(A1)"]
    data = write_xlsx(["Texto"], [[v] for v in hostile])
    cells = [row[0] for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "s", "s"]
    assert [c.value for c in cells] == hostile
    text = b"".join(iter_csv(["Texto"], [[v] for v in hostile])).decode("utf-8-sig")
    assert text.split("\r\n")[1:5] == ["'=1+2", "'+55 11", "'-2+3", "'@SUM(A1)"]
