"""Documents: accepted by content, encrypted on disk under random names; malicious
uploads refused with a message and nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from portal.core import upload_checks
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.proposals import documents
from portal.proposals.pipeline_models import ProposalDocument
from tests import factories
from tests.pipeline_helpers import jpeg, minimal_pdf, png

OPS = Actor(id=None, label="operador@teste")


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (minimal_pdf(), "RG frente.pdf", "application/pdf"),
        (png(), "selfie.PNG", "image/png"),
        (jpeg(), "comprovante.jpeg", "image/jpeg"),
    ],
)
def test_good_documents_are_stored_encrypted_and_read_back(db, org, storage, data, name, kind):
    proposal = factories.proposal(db, org.client)
    doc = documents.store_document(db, OPS, proposal, data, name, storage)
    assert doc.content_type == kind and doc.size == len(data)
    [path] = _files(storage)
    assert path.name == doc.storage_name and name not in str(path)
    assert data not in path.read_bytes()  # encrypted at rest
    assert documents.read_document(db, OPS, doc, storage) == data
    assert [d.id for d in documents.documents_of(db, proposal)] == [doc.id]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


MALICIOUS = [
    (b"#!/bin/sh\nrm -rf /\n", "contrato.pdf", "Tipo de arquivo não aceito"),
    (b"<html><script>alert(1)</script></html>", "rg.pdf", "Tipo de arquivo não aceito"),
    (_zip({"bomb.txt": b"0" * 5_000_000}), "bomba.pdf", "Tipo de arquivo não aceito"),
    (minimal_pdf() + _zip({"payload.exe": b"MZ" * 100}), "poliglota.pdf", "compactados"),
    (
        minimal_pdf().replace(
            b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
        ),
        "ativo.pdf",
        "conteúdo ativo",
    ),
    (png(100_000, 100_000), "gigante.png", "dimensões"),
    (b"", "vazio.pdf", "vazio"),
    (b"%PDF-1.4 sem fim", "truncado.pdf", "incompleto"),
]


@pytest.mark.parametrize(("data", "name", "message"), MALICIOUS)
def test_malicious_uploads_are_refused_and_nothing_is_stored(db, org, storage, data, name, message):
    proposal = factories.proposal(db, org.client)
    with pytest.raises(DomainError, match=message):
        documents.store_document(db, OPS, proposal, data, name, storage)
    assert _files(storage) == []
    assert db.scalar(select(func.count()).select_from(ProposalDocument)) == 0


def _catalog_with(extra: bytes) -> bytes:
    return minimal_pdf().replace(b"/Type/Catalog", b"/Type/Catalog" + extra)


# Active content with its names hex-escaped ("#xx"), which PDF readers decode.
ESCAPED_ACTIVE = [
    b"/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>",  # /S/JavaScript /JS
    b"/OpenAction<</S /#4A#61#76#61#53#63#72#69#70#74 /#4a#53 (app.alert(1))>>",  # all escaped
    b"/OpenAction<</S/#4Caunch/F(cmd.exe)>>",  # /Launch
    b"/Names<</EmbeddedFiles<</Names[(x)<</Type/Embedded#46ile>>]>>>>",  # /EmbeddedFile
    b"/AA<</O<</S/Rich#4dedia>>>>",  # /RichMedia
    b"/AcroForm<</#58FA 9 0 R>>",  # /XFA
]


@pytest.mark.parametrize("extra", ESCAPED_ACTIVE)
def test_hex_escaped_active_pdf_names_are_refused(db, org, storage, extra):
    proposal = factories.proposal(db, org.client)
    with pytest.raises(DomainError, match="conteúdo ativo"):
        documents.store_document(db, OPS, proposal, _catalog_with(extra), "escapado.pdf", storage)
    assert _files(storage) == []


def test_harmless_escaped_names_are_accepted(db, org, storage):
    data = _catalog_with(b"/PageLabels<</Nums[0<</P(Capa)/S/D>>]>>/Lang(pt-BR)/A#20B/Texto#4A")
    proposal = factories.proposal(db, org.client)
    stored = documents.store_document(db, OPS, proposal, data, "ok.pdf", storage)
    assert stored.content_type == "application/pdf"


def test_decode_pdf_name():
    assert upload_checks.decode_pdf_name(b"J#61vaScript") == b"JavaScript"
    assert upload_checks.decode_pdf_name(b"A#20B#2") == b"A B#2"


def test_per_document_size_limit(db, org, storage):
    proposal = factories.proposal(db, org.client)
    with pytest.raises(DomainError, match="limite por documento é 1 MB"):
        big = minimal_pdf() + b"0" * 1024 * 1024
        documents.store_document(db, OPS, proposal, big, "x.pdf", storage, 1024 * 1024)
    assert _files(storage) == []


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "C:\\Users\\ana\\RG.pdf"])
def test_a_path_in_the_filename_is_refused(db, org, storage, name):
    proposal = factories.proposal(db, org.client)
    with pytest.raises(DomainError, match="caminho de pastas"):
        documents.store_document(db, OPS, proposal, minimal_pdf(), name, storage)
    assert _files(storage) == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("con\x00trato\n.exe", "con_trato.pdf"),
        ("", "documento.pdf"),
        ("....", "documento.pdf"),
        ("nota <script>.pdf", "nota _script.pdf"),
    ],
)
def test_filenames_are_display_only(db, org, storage, name, shown):
    proposal = factories.proposal(db, org.client)
    doc = documents.store_document(db, OPS, proposal, minimal_pdf(), name, storage)
    assert doc.original_name == shown
    [path] = _files(storage)
    assert path.parent.parent == storage / "proposals"


def test_tampered_file_on_disk_is_not_served(db, org, storage):
    proposal = factories.proposal(db, org.client)
    doc = documents.store_document(db, OPS, proposal, minimal_pdf(), "a.pdf", storage)
    [path] = _files(storage)
    blob = path.read_bytes()
    path.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(Exception, match="adulterado"):
        documents.read_document(db, OPS, doc, storage)
