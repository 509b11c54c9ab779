"""Certification states, the proposal-submission gate and the scoped warning list."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest

from portal.core.audit import SYSTEM
from portal.core.crypto import KeyRing, get_keyring
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.people import certifications
from portal.people.certifications import EvidenceUpload, can_submit_proposals, certification_state
from portal.people.constants import CertState
from tests import factories

DAY = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("expires_on", "state"),
    [
        (DAY + timedelta(days=31), CertState.VALID),
        (DAY + timedelta(days=30), CertState.EXPIRING),
        (DAY, CertState.EXPIRING),  # last valid day
        (DAY - timedelta(days=1), CertState.EXPIRED),
    ],
)
def test_state_boundaries(db, expires_on, state):
    person = factories.collaborator(db)
    factories.certification(db, person, expires_on)
    assert certification_state(person, DAY) is state


def test_missing_revoked_and_not_yet_issued(db):
    person = factories.collaborator(db)
    assert certification_state(person, DAY) is CertState.MISSING
    factories.certification(db, person, DAY + timedelta(days=400), revoked_at=utcnow())
    factories.certification(db, person, DAY + timedelta(days=900), issued_on=DAY + timedelta(days=1))
    assert certification_state(person, DAY) is CertState.MISSING
    assert certification_state(person, DAY + timedelta(days=1)) is CertState.VALID


def test_best_certification_wins(db):
    person = factories.collaborator(db)
    factories.certification(db, person, DAY - timedelta(days=10))
    factories.certification(db, person, DAY + timedelta(days=100))
    assert certification_state(person, DAY) is CertState.VALID


def test_can_submit_proposals_on_boundary_dates(db):
    person = factories.collaborator(db)
    assert can_submit_proposals(db, person, DAY) == certifications.Eligibility(
        False, "Sem certificação válida"
    )
    factories.certification(db, person, date(2026, 11, 10))
    assert can_submit_proposals(db, person, DAY).ok
    blocked = can_submit_proposals(db, person, DAY + timedelta(days=1))
    assert not blocked.ok
    assert blocked.reason == "Certificação vencida em 10/11/2026"


def test_inactive_collaborator_cannot_submit(db):
    person = factories.collaborator(db)
    person.status = "inactive"
    factories.certification(db, person, DAY + timedelta(days=200))
    assert can_submit_proposals(db, person, DAY) == certifications.Eligibility(False, "Colaborador inativo")


def test_revoked_certification_blocks(db):
    person = factories.collaborator(db)
    cert = factories.certification(db, person, DAY + timedelta(days=200))
    certifications.revoke_certification(db, SYSTEM, cert)
    assert not can_submit_proposals(db, person, DAY).ok


def test_expiring_warnings_are_scoped(db):
    team = factories.org_unit(db, "team")
    other = factories.org_unit(db, "team")
    sup_user = factories.user(db, role="supervisor")
    sup = factories.collaborator(db, sup_user, team, role_group="supervisor")
    factories.certification(db, sup, DAY + timedelta(days=300))
    soon = factories.collaborator(db, None, team, name="Vence Logo")
    factories.certification(db, soon, DAY + timedelta(days=5))
    fine = factories.collaborator(db, None, team, name="Tudo Certo")
    factories.certification(db, fine, DAY + timedelta(days=300))
    lapsed = factories.collaborator(db, None, team, name="Já Venceu")
    factories.certification(db, lapsed, DAY - timedelta(days=1))
    none = factories.collaborator(db, None, team, name="Sem Nada")
    outsider = factories.collaborator(db, None, other, name="Outra Equipe")
    factories.certification(db, outsider, DAY + timedelta(days=2))

    warnings = certifications.expiring_certifications_for(db, sup_user, DAY)
    by_id = {w.collaborator_id: w.state for w in warnings}
    assert by_id == {soon.id: CertState.EXPIRING, lapsed.id: CertState.EXPIRED, none.id: CertState.MISSING}
    admin = factories.user(db, role="admin")
    assert outsider.id in {
        w.collaborator_id for w in certifications.expiring_certifications_for(db, admin, DAY)
    }


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_add_certification_validates_dates_and_evidence(db, tmp_path):
    person = factories.collaborator(db)
    kwargs = {"issuer": "abbc", "number": "A-1", "issued_on": DAY, "storage_dir": tmp_path}
    with pytest.raises(DomainError) as error:
        certifications.add_certification(db, SYSTEM, person, expires_on=DAY - timedelta(days=1), **kwargs)
    assert error.value.field == "expires_on"
    fake = EvidenceUpload("relatorio.pdf", io.BytesIO(b"<script>alert(1)</script>"))
    with pytest.raises(DomainError) as error:
        certifications.add_certification(db, SYSTEM, person, expires_on=DAY, evidence=fake, **kwargs)
    assert error.value.message == "Envie o comprovante em PDF, JPG ou PNG."
    big = EvidenceUpload("grande.pdf", io.BytesIO(b"%PDF-" + b"0" * certifications.EVIDENCE.max_bytes))
    with pytest.raises(DomainError, match="10 MB"):
        certifications.add_certification(db, SYSTEM, person, expires_on=DAY, evidence=big, **kwargs)
    assert not any(tmp_path.rglob("*.*"))
    with_path = EvidenceUpload("C:\\Users\\ana\\certificado.pdf", io.BytesIO(PDF))
    with pytest.raises(DomainError, match="caminho de pastas"):
        certifications.add_certification(db, SYSTEM, person, expires_on=DAY, evidence=with_path, **kwargs)
    assert not any(tmp_path.rglob("*.*"))
    good = EvidenceUpload("certificado.pdf", io.BytesIO(PDF))
    cert = certifications.add_certification(db, SYSTEM, person, expires_on=DAY, evidence=good, **kwargs)
    assert cert.evidence_filename == "certificado.pdf"
    assert cert.evidence_content_type == "application/pdf"
    stored = certifications.evidence_file(cert, tmp_path)
    assert certifications.read_evidence(cert, tmp_path) == PDF and "certificado" not in stored.name


def test_certification_evidence_is_encrypted_on_disk(db, tmp_path):
    person = factories.collaborator(db)
    content = b"%PDF-1.4\n% Certificado FEBRABAN de COLABORADOR-MARCADOR-7\n%%EOF\n"
    upload = EvidenceUpload("certificado.pdf", io.BytesIO(content))
    cert = certifications.add_certification(
        db, SYSTEM, person, issuer="abbc", number="A-2", issued_on=DAY, expires_on=DAY,
        evidence=upload, storage_dir=tmp_path,
    )  # fmt: skip
    raw = certifications.evidence_file(cert, tmp_path).read_bytes()
    assert b"COLABORADOR-MARCADOR-7" not in raw and not raw.startswith(b"%PDF")
    assert KeyRing.key_id_of_bytes(raw) == get_keyring().current_id
    assert cert.evidence_sha256 == hashlib.sha256(content).hexdigest()
    assert certifications.read_evidence(cert, tmp_path) == content
    # Older evidence kept in clear still reads.
    certifications.evidence_file(cert, tmp_path).write_bytes(content)
    assert certifications.read_evidence(cert, tmp_path) == content
