"""The one upload gate: hostile documents refused with a Portuguese reason, honest ones
accepted; spreadsheets are real XLSX or CSV text."""

from __future__ import annotations

import io
import zipfile

import pytest

from portal.core import upload_checks
from portal.core.errors import DomainError
from tests.pipeline_helpers import jpeg, minimal_pdf, png, xlsx
from tests.upload_samples import HOSTILE

MESSAGES = {"empty": "vazio", "too_big": "grande", "type": "tipo"}


@pytest.mark.parametrize("sample", sorted(HOSTILE))
def test_hostile_documents_are_refused_with_the_reason(sample):
    data, name, words = HOSTILE[sample]
    with pytest.raises(DomainError, match=words):
        upload_checks.check_document(data, name, max_bytes=10 * 1024 * 1024, messages=MESSAGES)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (minimal_pdf(), "application/pdf"),
        (minimal_pdf().replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction[3 0 R/Fit]"), "application/pdf"),
        (png(1200, 1600), "image/png"),
        (png(30_000, 2_000), "image/png"),
        (jpeg(4000, 3000), "image/jpeg"),
        (jpeg() + b"\x00" * 64, "image/jpeg"),  # phones pad after the end marker
    ],
)
def test_honest_documents_pass(data, kind):
    checked = upload_checks.check_document(data, "doc", max_bytes=10 * 1024 * 1024, messages=MESSAGES)
    assert checked.content_type == kind


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


LIMIT = 5 * 1024 * 1024


def test_real_xlsx_and_csv_pass():
    assert upload_checks.check_spreadsheet(xlsx(["CPF"], [["1"]]), "a.xlsx", max_bytes=LIMIT) == "xlsx"
    assert upload_checks.check_spreadsheet(b"CPF;Banco\n1;Facta\n", "a.csv", max_bytes=LIMIT) == "csv"
    utf16 = "CPF\tBanco\n1\tFacta\n".encode("utf-16")
    assert upload_checks.check_spreadsheet(utf16, "a.txt", max_bytes=LIMIT) == "csv"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><table><tr><td>CPF</td></tr></table></html>", "Envie uma planilha"),
        (minimal_pdf(), "Envie uma planilha"),
        (png(), "Envie uma planilha"),
        (b"CPF;Banco\n\x00\x01\x02", "Envie uma planilha"),
        (_zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b"0" * 150_000_000}), "zip bomb"),
        (_zip({"xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "macros"),
        (_zip({"word/document.xml": b"<w/>"}), "não é uma planilha"),
    ],
    ids=["html", "pdf", "png", "binary", "zip-bomb", "macros", "not-a-workbook"],
)
def test_anything_else_is_refused_as_a_spreadsheet(data, words):
    with pytest.raises(DomainError, match=words):
        upload_checks.check_spreadsheet(data, "planilha.xlsx", max_bytes=LIMIT)
