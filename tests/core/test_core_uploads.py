"""Uploads are typed by content, size-limited, stored under random names, resolved safely."""

from __future__ import annotations

import pytest

from portal.core.errors import DomainError, NotFound
from portal.core.uploads import resolve_stored, safe_filename, store_upload

MESSAGES = {"empty": "vazio", "too_big": "grande", "type": "tipo"}
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF"


def _store(tmp_path, data, name="doc.pdf", max_bytes=1024):
    return store_upload(tmp_path, "docs", data, filename=name, max_bytes=max_bytes, messages=MESSAGES)


def test_pdf_is_stored_with_random_name_and_hash(tmp_path):
    stored = _store(tmp_path, PDF, "contrato assinado.pdf")
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert stored.filename == "contrato assinado.pdf"
    assert stored.relative_path.startswith("docs/") and "contrato" not in stored.relative_path
    assert (tmp_path / stored.relative_path).read_bytes() == PDF
    assert len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vazio"),
        (b"#!/bin/sh\nrm -rf /\n", "tipo"),  # a script renamed .pdf
        (b"PK\x03\x04" + b"\x00" * 40, "tipo"),  # a zip (bomb or not)
        (b"<script>alert(1)</script>", "tipo"),
        (PDF + b"x" * 2000, "grande"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(tmp_path, data, message):
    with pytest.raises(DomainError, match=message):
        _store(tmp_path, data)
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "C:\\Users\\ana\\RG.pdf", "docs/x.pdf"])
def test_a_path_in_the_file_name_is_refused_and_nothing_is_written(tmp_path, name):
    with pytest.raises(DomainError, match="caminho de pastas"):
        _store(tmp_path, PDF, name)
    assert not any(tmp_path.rglob("*.*"))


def test_png_and_jpeg_are_recognised(tmp_path):
    assert _store(tmp_path, b"\x89PNG\r\n\x1a\n" + b"0" * 10, "foto.png").content_type == "image/png"
    assert _store(tmp_path, b"\xff\xd8\xff\xe0" + b"0" * 10, "foto.jpg").content_type == "image/jpeg"


def test_resolve_refuses_paths_outside_storage(tmp_path):
    stored = _store(tmp_path, PDF)
    assert (
        resolve_stored(tmp_path, stored.relative_path, "sumiu") == (tmp_path / stored.relative_path).resolve()
    )
    (tmp_path.parent / "segredo.txt").write_text("x")
    for bad in ("../segredo.txt", "/etc/passwd", None, "docs/nao-existe.pdf"):
        with pytest.raises(NotFound, match="sumiu"):
            resolve_stored(tmp_path, bad, "sumiu")


def test_safe_filename_strips_paths_and_odd_characters():
    assert safe_filename("C:\\Users\\ana\\RG frente.jpg", "x") == "RG frente.jpg"
    assert safe_filename("<b>.pdf", "x") == "_b_.pdf"
    assert safe_filename("", "padrão.pdf") == "padrão.pdf"
