"""Every upload route (consent evidence, certification evidence, proposal documents,
spreadsheet imports) goes through the one gate: hostile files are refused with the
reason in Portuguese and nothing is stored; downloads of personal data are no-store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.clients.models import Consent
from portal.people.models import Certification
from portal.proposals.pipeline_models import ProposalDocument, ProposalImport
from tests import factories
from tests.conftest import csrf_token_from, sign_in
from tests.pipeline_helpers import minimal_pdf, png
from tests.upload_samples import HOSTILE


def _files(app) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return {p for p in root.rglob("*") if p.is_file()}


def _post_file(client, page: str, path: str, field: str, data: bytes, name: str, **fields: str):
    token = csrf_token_from(client, page)
    return client.post(
        path,
        data={"csrf_token": token, **fields, field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _consent(client, db, org, data, name):
    page = f"/sales/clients/{org.client.id}"
    fields = {"purpose": "benefit_query", "legal_basis": "consent", "channel": "in_person"}
    response = _post_file(client, page, f"{page}/consents", "evidence", data, name, **fields)
    return response, Consent


def _certification(client, db, org, data, name):
    page = f"/admin/collaborators/{org.agent.id}"
    fields = {"issuer": "febraban", "number": "FB-1", "issued_on": "2026-01-10", "expires_on": "2029-01-10"}
    response = _post_file(client, page, f"{page}/certifications", "evidence", data, name, **fields)
    return response, Certification


def _document(client, db, org, data, name):
    proposal = factories.proposal(db, org.client)
    page = f"/operations/proposals/{proposal.id}"
    return _post_file(client, page, f"{page}/documents", "file", data, name), ProposalDocument


ROUTES = {
    "consent": ("agent", _consent),
    "certification": ("admin", _certification),
    "document": ("ops", _document),
}


def _sign_in_for(client, db, org, who: str) -> None:
    user = {"agent": org.agent_user, "ops": org.operations_user}.get(who) or factories.user(db, role="admin")
    sign_in(client, db, user)


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("sample", sorted(HOSTILE))
def test_every_upload_route_refuses_hostile_files_and_stores_nothing(app, client, db, org, route, sample):
    who, send = ROUTES[route]
    _sign_in_for(client, db, org, who)
    data, name, words = HOSTILE[sample]
    before = _files(app)
    response, model = send(client, db, org, data, name)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert _files(app) == before
    assert db.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"<html><table><tr><td>CPF do cliente</td></tr></table></html>", "p.xls", "Envie uma planilha"),
        (minimal_pdf(), "planilha.csv", "Envie uma planilha"),
        (png() + b"CPF do cliente;Banco\n", "planilha.csv", "Envie uma planilha"),
    ],
)
def test_the_import_route_accepts_only_real_spreadsheets(app, client, db, org, runner, data, name, words):
    _sign_in_for(client, db, org, "ops")
    before = _files(app)
    response = _post_file(
        client, "/operations/proposals/import", "/operations/proposals/import", "file", data, name
    )
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert runner.dispatched == [] and _files(app) == before
    assert db.scalar(select(func.count()).select_from(ProposalImport)) == 0


def test_downloads_of_personal_data_are_never_stored_by_the_browser(app, client, db, org):
    pdf = minimal_pdf()
    _sign_in_for(client, db, org, "agent")
    consent_response, _ = _consent(client, db, org, pdf, "termo.pdf")
    assert consent_response.status_code == 302
    consent = db.scalar(select(Consent))
    evidence = client.get(f"/sales/clients/{org.client.id}/consents/{consent.id}/evidence")
    export = client.get("/sales/clients/export.csv")
    assert "Maria da Silva" in export.get_data(as_text=True)  # streamed: read it to the end

    admin = app.test_client()
    _sign_in_for(admin, db, org, "admin")
    assert _certification(admin, db, org, pdf, "certificado.pdf")[0].status_code == 302
    cert = db.scalar(select(Certification))
    certificate = admin.get(f"/admin/collaborators/{org.agent.id}/certifications/{cert.id}/evidence")

    ops = app.test_client()
    _sign_in_for(ops, db, org, "ops")
    document_response, _ = _document(ops, db, org, pdf, "rg.pdf")
    assert document_response.status_code == 303
    document = db.scalar(select(ProposalDocument))
    download = ops.get(f"/operations/proposals/{document.proposal_id}/documents/{document.id}")

    for response in (evidence, export, certificate, download):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
