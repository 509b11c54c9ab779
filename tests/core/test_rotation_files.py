"""`flask rotate-data-key` re-encrypts the files referenced by the database too: proposal
documents, imported spreadsheets, consent and certification evidence (older clear evidence
gets encrypted), so the old key can be removed afterwards."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.clients.consents import Evidence, evidence_file, grant_consent, read_evidence
from portal.clients.models import Consent
from portal.core import crypto
from portal.core.audit import SYSTEM, AuditEntry
from portal.core.crypto import KeyRing
from portal.core.imports import storage as import_storage
from portal.core.imports.models import DataImport
from portal.people import certifications
from portal.people.certifications import EvidenceUpload
from portal.proposals import documents, importing
from portal.proposals.pipeline_models import ProposalDocument, ProposalImport
from tests import factories
from tests.pipeline_helpers import build_org, minimal_pdf

TERM = b"%PDF-1.4\n% Termo IN100 de TITULAR-ROTACAO\n%%EOF\n"
OLD_TERM = b"%PDF-1.4\n% Termo antigo, gravado em claro, de TITULAR-ANTIGO\n%%EOF\n"
CERTIFICATE = b"%PDF-1.4\n% Certificado de COLABORADOR-ROTACAO\n%%EOF\n"
SPREADSHEET = b"cpf;nome\n52998224725;Maria\n"


@pytest.fixture
def new_ring(app):
    """The app's ring with a new current key; the app's own ring is put back afterwards."""
    ring = crypto.get_keyring().with_new_key("k2027")
    yield ring
    crypto.configure_keyring(app.extensions["athenas.keyring"])


def _only_current(ring: KeyRing) -> KeyRing:
    """The ring after the operator removed every old key."""
    return KeyRing.from_string(ring.to_string().split(",")[0])


def _files(app, db):
    storage = Path(app.config["STORAGE_DIR"])
    org = build_org(db)
    consent = grant_consent(
        db, SYSTEM, org.client, purpose="benefit_query", legal_basis="consent", channel="in_person",
        evidence=Evidence("termo.pdf", TERM), storage_dir=storage,
    )  # fmt: skip
    legacy = grant_consent(
        db, SYSTEM, org.other_client, purpose="benefit_query", legal_basis="consent", channel="in_person",
        evidence=Evidence("termo-antigo.pdf", OLD_TERM), storage_dir=storage,
    )  # fmt: skip
    evidence_file(storage, legacy).write_bytes(OLD_TERM)  # as written before encryption existed
    cert = certifications.add_certification(
        db, SYSTEM, org.agent, issuer="abbc", number="R-1", issued_on=date(2026, 1, 1),
        expires_on=date(2028, 1, 1), evidence=EvidenceUpload("cert.pdf", io.BytesIO(CERTIFICATE)),
        storage_dir=storage,
    )  # fmt: skip
    document = documents.store_document(
        db, SYSTEM, factories.proposal(db, org.client), minimal_pdf("RG de TITULAR-DOC"), "rg.pdf", storage
    )
    kept = importing.keep_file(SPREADSHEET, storage)
    return storage, consent, legacy, cert, document, storage / "imports" / kept, kept


def test_rotation_reencrypts_every_file_and_the_old_key_can_go(app, db, new_ring):
    storage, consent, legacy, cert, document, spreadsheet, kept = _files(app, db)
    old_id = crypto.get_keyring().current_id
    paths = {
        "consent": evidence_file(storage, consent),
        "cert": certifications.evidence_file(cert, storage),
        "document": storage / "proposals" / document.storage_name[:2] / document.storage_name,
        "spreadsheet": spreadsheet,
    }
    for path in paths.values():
        assert KeyRing.key_id_of_bytes(path.read_bytes()) == old_id
    legacy_path = evidence_file(storage, legacy)
    assert legacy_path.read_bytes() == OLD_TERM

    crypto.configure_keyring(new_ring)
    result = app.test_cli_runner().invoke(args=["rotate-data-key", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert re.search(r"arquivos proposal_documents\.storage_name\s+1 arquivo\(s\) recifrado", result.output)
    assert re.search(r"arquivos proposal_imports\.storage_name\s+0 arquivo\(s\) recifrado", result.output)
    assert re.search(
        r"arquivos client_consents\.evidence_path\s+1 arquivo\(s\) recifrado\(s\), "
        r"1 antigo\(s\) em claro agora cifrado",
        result.output,
    ), result.output
    assert re.search(r"arquivos certifications\.evidence_path\s+1 arquivo\(s\) recifrado", result.output)
    done = r"Rotação concluída: \d+ valor\(es\) e 4 arquivo\(s\) agora na chave 'k2027'"
    assert re.search(done, result.output)

    # Every file now carries the new key id; nothing is left in clear or half-written.
    for name in ("consent", "cert", "document"):
        assert KeyRing.key_id_of_bytes(paths[name].read_bytes()) == "k2027", name
    legacy_raw = legacy_path.read_bytes()
    assert KeyRing.key_id_of_bytes(legacy_raw) == "k2027" and b"TITULAR-ANTIGO" not in legacy_raw
    assert not list(storage.rglob("*.part"))
    db.expire_all()
    assert db.get(ProposalDocument, document.id).key_id == "k2027"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "crypto.data_key_rotated"))
    assert entry.details["files:client_consents.evidence_path"] == 2

    # The old key can be removed: everything still reads with the new key alone.
    crypto.configure_keyring(_only_current(new_ring))
    assert read_evidence(storage, consent) == TERM
    assert read_evidence(storage, db.get(Consent, legacy.id)) == OLD_TERM
    assert certifications.read_evidence(cert, storage) == CERTIFICATE
    assert documents.read_document(db, SYSTEM, document, storage) == minimal_pdf("RG de TITULAR-DOC")
    with pytest.raises(crypto.CryptoError):  # the spreadsheet is not referenced: left as it was
        importing.read_kept_file(kept, storage)

    # A second run has nothing left to do.
    crypto.configure_keyring(new_ring)
    again = app.test_cli_runner().invoke(args=["rotate-data-key"])
    assert again.exit_code == 0, again.output
    assert "Rotação concluída: 0 valor(es) e 0 arquivo(s)" in again.output


def test_imported_spreadsheets_rotate_and_missing_files_are_reported(app, db, new_ring):
    storage, consent, _legacy, _cert, _document, spreadsheet, kept = _files(app, db)
    record = ProposalImport(sha256="a" * 64, filename="planilha.xlsx", storage_name=kept)
    db.add(record)
    evidence_file(storage, consent).unlink()  # gone from the storage, still referenced
    db.flush()
    crypto.configure_keyring(new_ring)
    result = app.test_cli_runner().invoke(args=["rotate-data-key"])
    assert result.exit_code == 0, result.output
    assert re.search(r"arquivos proposal_imports\.storage_name\s+1 arquivo\(s\) recifrado", result.output)
    assert "1 não encontrado(s) no armazenamento" in result.output
    assert KeyRing.key_id_of_bytes(spreadsheet.read_bytes()) == "k2027"
    crypto.configure_keyring(_only_current(new_ring))
    assert importing.read_kept_file(kept, storage) == SPREADSHEET
    assert not (storage / consent.evidence_path).exists()  # not brought back


def test_a_damaged_file_stops_the_rotation_with_its_name(app, db, new_ring):
    storage, consent, *_ = _files(app, db)
    path = evidence_file(storage, consent)
    raw = path.read_bytes()
    path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    crypto.configure_keyring(new_ring)
    result = app.test_cli_runner().invoke(args=["rotate-data-key"])
    assert result.exit_code != 0
    assert "Rotação interrompida" in result.output and consent.evidence_path in result.output
    assert "adulterado" in result.output
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "crypto.data_key_rotated")) is None


def test_the_import_hubs_kept_files_rotate_too(app, db, new_ring):
    storage = Path(app.config["STORAGE_DIR"])
    name = import_storage.keep(SPREADSHEET, storage)
    db.add(
        DataImport(
            kind="proposals", bank_code="", status="ready", filename="propostas.xlsx",
            sha256="b" * 64, storage_name=name,
        )
    )  # fmt: skip
    db.flush()
    crypto.configure_keyring(new_ring)
    result = app.test_cli_runner().invoke(args=["rotate-data-key"])
    assert result.exit_code == 0, result.output
    assert re.search(r"arquivos data_imports\.storage_name\s+1 arquivo\(s\) recifrado", result.output)
    assert KeyRing.key_id_of_bytes((storage / "data-imports" / name).read_bytes()) == "k2027"
    crypto.configure_keyring(_only_current(new_ring))
    with import_storage.opened(storage, name) as path:
        assert path.read_bytes() == SPREADSHEET
