"""Every upload route (consent evidence, certification evidence, proposal documents,
spreadsheet imports through the import hub, at its address and at the old proposals
import address) goes through the one gate: hostile files are refused with the
reason in Portuguese and nothing is stored; downloads of personal data are no-store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.clients.models import Consent
from portal.core.imports.models import DataImport
from portal.people.models import Certification
from portal.proposals.pipeline_models import ProposalDocument
from portal.web.finance import import_views
from tests import factories
from tests.conftest import CSRF_META, csrf_token_from, sign_in
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


_OLE_WITH_PASSWORD = (  # what Excel writes when a password is set
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
)
SPREADSHEET_REFUSALS = [
    (minimal_pdf(), "planilha.csv", "Envie uma planilha"),
    (png() + b"CPF do cliente;Banco\n", "planilha.csv", "Envie uma planilha"),
    (
        b"<html><table><tr><td>CPF do cliente</td></tr></table><script>alert(1)</script></html>",
        "p.xls",
        "Envie uma planilha",
    ),
    (_OLE_WITH_PASSWORD + b"\x00" * 600, "protegida.xlsx", "Planilha protegida por senha"),
    (b"", "vazia.csv", "O arquivo está vazio."),
]
IMPORT_ADDRESSES = {
    "old address": ("/operations/proposals/import", {}),
    "hub": ("/finance/imports/new", {"kind": "proposals"}),
}


@pytest.mark.parametrize("address", sorted(IMPORT_ADDRESSES))
@pytest.mark.parametrize(("data", "name", "words"), SPREADSHEET_REFUSALS)
def test_the_proposals_import_accepts_only_real_spreadsheets(
    app, client, db, org, runner, address, data, name, words
):
    _sign_in_for(client, db, org, "ops")
    path, fields = IMPORT_ADDRESSES[address]
    before = _files(app)
    response = _post_file(client, "/finance/imports/new", path, "file", data, name, **fields)
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert runner.dispatched == [] and _files(app) == before
    assert db.scalar(select(func.count()).select_from(DataImport)) == 0


@pytest.mark.parametrize("address", sorted(IMPORT_ADDRESSES))
def test_the_proposals_import_refuses_a_file_over_the_size_limit(
    app, client, db, org, runner, monkeypatch, address
):
    monkeypatch.setattr(import_views, "MAX_BYTES", 1024 * 1024)
    _sign_in_for(client, db, org, "ops")
    path, fields = IMPORT_ADDRESSES[address]
    big = b"CPF do cliente;Banco\n" + b"12345678909;Facta\n" * 70_000  # about 1.3 MB
    before = _files(app)
    response = _post_file(client, "/finance/imports/new", path, "file", big, "grande.csv", **fields)
    assert response.status_code == 422
    assert "Arquivo muito grande: o limite por documento é 1 MB." in response.get_data(as_text=True)
    assert runner.dispatched == [] and _files(app) == before
    assert db.scalar(select(func.count()).select_from(DataImport)) == 0


@pytest.mark.parametrize("role", ["agent", "supervisor", "finance", "manager", "admin"])
def test_only_operations_imports_proposals(app, client, db, org, runner, role):
    sign_in(client, db, factories.user(db, role=role))
    body = b"CPF do cliente;Banco;Produto;Conv\xc3\xaanio;Prazo;Valor bruto\n1;Facta;novo;INSS;84;1,00\n"
    assert client.get("/operations/proposals/import").status_code == 403
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = CSRF_META.search(home).group(1)  # the page each role lands on
    old = client.post(
        "/operations/proposals/import",
        data={"csrf_token": token, "file": (io.BytesIO(body), "p.csv")},
        content_type="multipart/form-data",
    )
    assert old.status_code == 403
    hub = client.post(
        "/finance/imports/new",
        data={"csrf_token": token, "kind": "proposals", "file": (io.BytesIO(body), "p.csv")},
        content_type="multipart/form-data",
    )
    assert hub.status_code in (403, 422)  # no import at all, or not this kind
    if hub.status_code == 422:
        assert "Escolha o tipo de importação." in hub.get_data(as_text=True)
    assert runner.dispatched == [] and db.scalar(select(func.count()).select_from(DataImport)) == 0


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
