"""One rule for evidence files of any kind (consent terms, certificates): checked, encrypted
on disk, read back in clear, and the kind's own words when it is refused or missing."""

from __future__ import annotations

import pytest

from portal.clients import consents
from portal.core import crypto
from portal.core.crypto import CryptoError, KeyRing
from portal.core.errors import DomainError, NotFound
from portal.core.evidence import EvidenceKind
from portal.people import certifications

TERM = b"%PDF-1.4\n% Termo assinado por MARCADOR-SECRETO-456\n%%EOF\n"
KIND = EvidenceKind(
    subdir="termos",
    max_bytes=100,
    messages={"empty": "Termo vazio.", "too_big": "Termo grande demais.", "type": "Termo: só PDF."},
    default_filename="termo",
    absent="Sem termo.",
    missing="Termo sumiu.",
)


@pytest.fixture(autouse=True)
def ring():
    try:
        previous = crypto.get_keyring()
    except CryptoError:
        previous = None
    crypto.configure_keyring(KeyRing.generate("ev1"))
    yield
    crypto.configure_keyring(previous)


def test_evidence_is_encrypted_on_disk_and_read_back_in_clear(tmp_path):
    stored = KIND.store(tmp_path, "", TERM)
    assert stored.relative_path.startswith("termos/") and stored.filename == "termo"
    on_disk = KIND.path(tmp_path, stored.relative_path).read_bytes()
    assert b"MARCADOR-SECRETO-456" not in on_disk
    assert KIND.read(tmp_path, stored.relative_path) == TERM


def test_refusals_and_absences_speak_the_kind_s_words(tmp_path):
    with pytest.raises(DomainError, match="Termo grande demais."):
        KIND.store(tmp_path, "t.pdf", TERM + b"0" * 100)
    with pytest.raises(DomainError, match="Termo: só PDF."):
        KIND.store(tmp_path, "t.pdf", b"texto simples, nada de PDF")
    with pytest.raises(NotFound, match="Sem termo."):
        KIND.read(tmp_path, None)
    with pytest.raises(NotFound, match="Termo sumiu."):
        KIND.path(tmp_path, "termos/nao-existe.pdf")
    with pytest.raises(ValueError, match="storage_dir"):
        KIND.store(None, "t.pdf", TERM)


def test_consents_and_certifications_share_the_rule():
    assert isinstance(consents.EVIDENCE, EvidenceKind) and isinstance(certifications.EVIDENCE, EvidenceKind)
    assert (consents.EVIDENCE.subdir, consents.EVIDENCE.max_bytes) == ("consents", 5 * 1024 * 1024)
    assert (certifications.EVIDENCE.subdir, certifications.EVIDENCE.max_bytes) == ("certifications", 10485760)
