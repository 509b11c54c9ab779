"""Uploads are typed by content, size-limited, stored under random names, resolved safely."""

from __future__ import annotations

import hashlib

import pytest

from portal.core import crypto
from portal.core.crypto import CryptoError, KeyRing
from portal.core.errors import DomainError, NotFound
from portal.core.uploads import read_stored, resolve_stored, safe_filename, store_upload
from tests.pipeline_helpers import jpeg, png

MESSAGES = {"empty": "vazio", "too_big": "grande", "type": "tipo"}
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF"
MARKED_PDF = b"%PDF-1.4\n% Termo assinado por MARCADOR-SECRETO-123\n%%EOF\n"


@pytest.fixture(autouse=True)
def ring():
    """A ring of our own for these kernel tests (the app's is restored by the db fixture)."""
    try:
        previous = crypto.get_keyring()
    except CryptoError:
        previous = None
    test_ring = KeyRing.generate("up1")
    crypto.configure_keyring(test_ring)
    yield test_ring
    crypto.configure_keyring(previous)


def _store(tmp_path, data, name="doc.pdf", max_bytes=1024):
    return store_upload(tmp_path, "docs", data, filename=name, max_bytes=max_bytes, messages=MESSAGES)


def test_pdf_is_stored_with_random_name_and_hash(tmp_path):
    stored = _store(tmp_path, PDF, "contrato assinado.pdf")
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert stored.filename == "contrato assinado.pdf"
    assert stored.relative_path.startswith("docs/") and "contrato" not in stored.relative_path
    assert read_stored(tmp_path, stored.relative_path, "sumiu") == PDF
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()  # of the clear content


def test_stored_bytes_are_encrypted_and_read_back_in_clear(tmp_path, ring):
    stored = _store(tmp_path, MARKED_PDF, "termo.pdf")
    raw = (tmp_path / stored.relative_path).read_bytes()
    assert b"MARCADOR-SECRETO-123" not in raw and not raw.startswith(b"%PDF")
    assert KeyRing.key_id_of_bytes(raw) == "up1"
    assert stored.size == len(MARKED_PDF) and stored.sha256 == hashlib.sha256(MARKED_PDF).hexdigest()
    assert read_stored(tmp_path, stored.relative_path, "sumiu") == MARKED_PDF
    assert [p.name for p in (tmp_path / "docs").iterdir()] == [stored.relative_path.split("/")[1]]


def test_encrypt_false_writes_the_clear_bytes(tmp_path):
    stored = store_upload(
        tmp_path, "docs", MARKED_PDF, filename="a.pdf", max_bytes=1024, messages=MESSAGES, encrypt=False
    )
    assert (tmp_path / stored.relative_path).read_bytes() == MARKED_PDF
    assert read_stored(tmp_path, stored.relative_path, "sumiu") == MARKED_PDF


@pytest.mark.parametrize(
    "data", [MARKED_PDF, b"\x89PNG\r\n\x1a\n" + b"0" * 10, b"\xff\xd8\xff\xe0" + b"0" * 10]
)
def test_files_stored_in_clear_before_encryption_still_read(tmp_path, data):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "antigo.bin").write_bytes(data)
    assert read_stored(tmp_path, "docs/antigo.bin", "sumiu") == data


def test_a_file_under_another_key_or_swapped_or_damaged_is_refused(tmp_path, ring):
    first = _store(tmp_path, MARKED_PDF, "a.pdf")
    second = _store(tmp_path, PDF, "b.pdf")
    # Copying one file over another is caught: the path is bound as associated data.
    (tmp_path / second.relative_path).write_bytes((tmp_path / first.relative_path).read_bytes())
    with pytest.raises(CryptoError, match="adulterado"):
        read_stored(tmp_path, second.relative_path, "sumiu")
    raw = (tmp_path / first.relative_path).read_bytes()
    (tmp_path / first.relative_path).write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    with pytest.raises(CryptoError, match="adulterado"):
        read_stored(tmp_path, first.relative_path, "sumiu")
    (tmp_path / first.relative_path).write_bytes(b"<html>nem cifrado nem documento</html>")
    with pytest.raises(CryptoError, match="formato"):
        read_stored(tmp_path, first.relative_path, "sumiu")
    third = _store(tmp_path, PDF, "c.pdf")
    crypto.configure_keyring(KeyRing.generate("outra"))  # the key that wrote it is gone
    with pytest.raises(CryptoError, match="up1"):
        read_stored(tmp_path, third.relative_path, "sumiu")


def test_read_stored_refuses_missing_files_and_paths_outside_storage(tmp_path):
    (tmp_path.parent / "segredo.pdf").write_bytes(PDF)
    for bad in ("../segredo.pdf", "/etc/passwd", None, "", "docs/nao-existe.pdf"):
        with pytest.raises(NotFound, match="sumiu"):
            read_stored(tmp_path, bad, "sumiu")


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
    assert _store(tmp_path, png(), "foto.png").content_type == "image/png"
    assert _store(tmp_path, jpeg(), "foto.jpg").content_type == "image/jpeg"


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
