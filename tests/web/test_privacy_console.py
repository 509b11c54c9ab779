"""The LGPD console: subject report (JSON, PDF), anonymisation, retention review."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

from sqlalchemy import select

from portal.clients.models import Client
from portal.core.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_token_from, form_post


def _subject(db):
    org = factories.client_org(db)
    return factories.client(
        db, org.agent, cpf="52998224725", name="Íris D'Almeida", phone="11987654321", city="Recife"
    )


def test_lookup_by_cpf_and_subject_report_as_json_and_pdf(client, db, login_as, tmp_path):
    subject = _subject(db)
    login_as("admin")
    bad = form_post(client, "/admin/privacy/lookup", {"cpf": "123"}, token_page="/admin/privacy")
    assert bad.status_code == 422 and "CPF inválido" in bad.get_data(as_text=True)
    missing = form_post(client, "/admin/privacy/lookup", {"cpf": "11144477735"}, token_page="/admin/privacy")
    assert "Nenhum cliente com este CPF." in missing.get_data(as_text=True)
    found = form_post(client, "/admin/privacy/lookup", {"cpf": "529.982.247-25"}, token_page="/admin/privacy")
    assert found.status_code == 302 and found.headers["Location"].endswith(
        f"/admin/privacy/clients/{subject.id}"
    )
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Íris D&#39;Almeida" in page and "***.982.247-**" in page and "529.982.247-25" not in page

    report = client.get(f"/admin/privacy/clients/{subject.id}/report.json")
    data = json.loads(report.data)
    assert data["titular"]["cpf"] == "529.982.247-25"
    assert data["titular"]["telefone"] == "(11) 98765-4321"
    assert data["titular"]["nome"] == "Íris D'Almeida"

    pdf = client.get(f"/admin/privacy/clients/{subject.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Relatório do titular" in text
    assert "Íris D'Almeida" in text and "529.982.247-25" in text and "Recife" in text
    formats = db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "privacy.subject_report")
    ).all()
    assert formats == [{"format": "json"}, {"format": "pdf"}]


def test_anonymisation_needs_typed_confirmation_and_is_final(client, db, login_as):
    subject = _subject(db)
    login_as("admin")
    page = f"/admin/privacy/clients/{subject.id}"
    refused = form_post(client, f"{page}/anonymise", {"confirmation": "sim"}, token_page=page)
    assert refused.status_code == 422 and "Digite ANONIMIZAR" in refused.get_data(as_text=True)
    db.expire_all()
    assert db.get(Client, subject.id).cpf == "52998224725"
    done = form_post(client, f"{page}/anonymise", {"confirmation": "anonimizar"}, token_page=page)
    assert done.status_code == 302
    db.expire_all()
    gone = db.get(Client, subject.id)
    assert gone.is_anonymised and gone.cpf is None and gone.name.startswith("Titular anonimizado #")
    html = client.get(page).get_data(as_text=True)
    assert "Anonimizar definitivamente" not in html and "Íris" not in html
    lookup = form_post(client, "/admin/privacy/lookup", {"cpf": "52998224725"}, token_page="/admin/privacy")
    assert "Nenhum cliente com este CPF." in lookup.get_data(as_text=True)


def test_retention_lists_flags_and_exports_inactive_clients(client, db, login_as):
    org = factories.client_org(db)
    old = factories.client(db, org.agent, name="Antigo", last_activity_at=datetime(2015, 1, 1, tzinfo=UTC))
    factories.client(db, org.agent, name="Recente")
    login_as("admin")
    html = client.get("/admin/privacy/retention").get_data(as_text=True)
    assert "Antigo" in html and "Recente" not in html
    assert client.get("/admin/privacy/retention?years=0").status_code == 422
    token = csrf_token_from(client, "/admin/privacy/retention")
    response = client.post(
        "/admin/privacy/retention?years=5", data={"csrf_token": token}, follow_redirects=True
    )
    assert "1 cliente(s) marcado(s)" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Client, old.id).retention_flagged_at is not None
    csv = client.get("/admin/privacy/retention/export.csv?years=5").get_data(as_text=True)
    assert "Antigo" in csv and "Recente" not in csv


def test_privacy_console_is_admin_only(client, db, login_as):
    subject = _subject(db)
    login_as("operations")
    assert client.get("/admin/privacy").status_code == 403
    assert client.get(f"/admin/privacy/clients/{subject.id}/report.json").status_code == 403


def test_report_pdf_speaks_pt_br_in_sao_paulo_time_and_fits_the_page(app, client, db, login_as, tmp_path):
    from portal.clients.consents import Evidence, grant_consent
    from portal.core.audit import SYSTEM

    org = factories.client_org(db)
    subject = factories.registered_client(
        db, org.agent_user, cpf="52998224725", name="Íris Almeida", provenance="agent",
        link={"agreement": "INSS", "benefit_number": "1234567890", "monthly_income": "1.654,17"},
    )  # fmt: skip
    subject.created_at = datetime(2025, 1, 2, 2, 30, tzinfo=UTC)  # 01/01/2025 23:30 in São Paulo
    consent = grant_consent(
        db, SYSTEM, subject, purpose="benefit_query", legal_basis="consent", channel="in_person",
        granted_at=datetime(2025, 1, 2, 2, 30, tzinfo=UTC),
        evidence=Evidence("termo-de-autorizacao-assinado.pdf", b"%PDF-1.4\n%%EOF\n"),
        storage_dir=app.config["STORAGE_DIR"],
    )  # fmt: skip
    db.flush()
    login_as("admin")
    pdf = client.get(f"/admin/privacy/clients/{subject.id}/report.pdf")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "R$ 1.654,17" in text and "1654.17" not in text
    assert "01/01/2025 23:30" in text and "2025-01-02" not in text and "UTC" not in text
    # The consent table stays inside the page: the whole SHA-256 is there (wrapped, not cut).
    assert consent.evidence_sha256 in "".join(text.split())
