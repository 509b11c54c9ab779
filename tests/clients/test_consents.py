"""Consents: evidence files checked and hashed; a benefit query needs a valid authorisation."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from portal.clients.consents import (
    Evidence,
    evidence_file,
    grant_consent,
    has_valid_consent,
    read_evidence,
    require_consent,
    revoke_consent,
)
from portal.clients.models import ConsentPurpose
from portal.core.audit import SYSTEM
from portal.core.crypto import KeyRing, get_keyring
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from tests import factories
from tests.pipeline_helpers import png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = png()


def _grant(db, client, tmp_path, **overrides):
    values = {
        "purpose": "benefit_query",
        "legal_basis": "consent",
        "channel": "in_person",
        "evidence": Evidence("termo IN100.pdf", PDF),
        "storage_dir": tmp_path,
    }
    values.update(overrides)
    return grant_consent(db, SYSTEM, client, **values)


def test_benefit_query_requires_a_valid_authorisation(db, org, tmp_path):
    client = factories.client(db, org.agent)
    with pytest.raises(DomainError, match="Cliente sem autorização de consulta"):
        require_consent(db, client, ConsentPurpose.BENEFIT_QUERY)
    consent = _grant(db, client, tmp_path, granted_at=utcnow() - timedelta(hours=1))
    require_consent(db, client, ConsentPurpose.BENEFIT_QUERY)  # no error now
    assert not has_valid_consent(db, client, "marketing")
    assert not has_valid_consent(db, client, "benefit_query", on=consent.granted_at - timedelta(seconds=1))

    stored = evidence_file(tmp_path, consent)
    assert read_evidence(tmp_path, consent) == PDF
    assert consent.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert consent.evidence_filename == "termo IN100.pdf"
    assert "IN100" not in stored.name  # random name on disk

    revoke_consent(db, SYSTEM, client, consent.id)
    with pytest.raises(DomainError, match="Cliente sem autorização de consulta"):
        require_consent(db, client, ConsentPurpose.BENEFIT_QUERY)
    assert has_valid_consent(db, client, "benefit_query", on=consent.revoked_at - timedelta(seconds=1))
    with pytest.raises(DomainError, match="já foi revogada"):
        revoke_consent(db, SYSTEM, client, consent.id)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"evidence": None}, "evidence", "Anexe o termo"),
        ({"evidence": Evidence("x.pdf", b"MZ\x90\x00 not a pdf")}, "evidence", "PDF, JPG ou PNG"),
        ({"evidence": Evidence("x.pdf", b"")}, "evidence", "vazio"),
        ({"evidence": Evidence("x.pdf", PDF + b"0" * (5 * 1024 * 1024))}, "evidence", "5 MB"),
        ({"purpose": "spam"}, "purpose", "finalidade"),
        ({"legal_basis": ""}, "legal_basis", "base legal"),
        ({"channel": "pombo"}, "channel", "canal"),
        ({"granted_at": utcnow() + timedelta(days=1)}, "granted_at", "futuro"),
    ],
)
def test_bad_consent_input_writes_nothing(db, org, tmp_path, overrides, field, message):
    client = factories.client(db, org.agent)
    with pytest.raises(DomainError) as error:
        _grant(db, client, tmp_path, **overrides)
    assert error.value.field == field and message in error.value.message
    assert not has_valid_consent(db, client, "benefit_query")
    assert list(Path(tmp_path).rglob("*.*")) == []


def test_contact_consent_without_evidence_and_png_evidence(db, org, tmp_path):
    client = factories.client(db, org.agent)
    _grant(db, client, tmp_path, purpose="contact", evidence=None, channel="phone")
    assert has_valid_consent(db, client, "contact")
    with pytest.raises(DomainError, match="caminho de pastas"):
        _grant(db, client, tmp_path, evidence=Evidence("../../etc/passwd.png", PNG))
    consent = _grant(db, client, tmp_path, evidence=Evidence("termo.png", PNG))
    assert consent.evidence_mime == "image/png" and consent.evidence_filename == "termo.png"
    assert evidence_file(tmp_path, consent).parent == Path(tmp_path).resolve() / "consents"


def test_evidence_is_encrypted_on_disk_and_older_clear_files_still_read(db, org, tmp_path):
    client = factories.client(db, org.agent)
    term = b"%PDF-1.4\n% Termo IN100 assinado por TITULAR-MARCADOR-42\n%%EOF\n"
    consent = _grant(db, client, tmp_path, evidence=Evidence("termo.pdf", term))
    raw = evidence_file(tmp_path, consent).read_bytes()
    assert b"TITULAR-MARCADOR-42" not in raw and not raw.startswith(b"%PDF")
    assert KeyRing.key_id_of_bytes(raw) == get_keyring().current_id
    assert consent.evidence_sha256 == hashlib.sha256(term).hexdigest()  # hash of the clear term
    assert read_evidence(tmp_path, consent) == term
    # An evidence written in clear before encryption existed reads as it is.
    evidence_file(tmp_path, consent).write_bytes(term)
    assert read_evidence(tmp_path, consent) == term
    without = _grant(db, client, tmp_path, purpose="contact", evidence=None, channel="phone")
    with pytest.raises(NotFound, match="não tem arquivo"):
        read_evidence(tmp_path, without)
