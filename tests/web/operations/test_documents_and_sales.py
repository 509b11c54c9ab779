"""Documents through the pages (good, malicious, oversized), the agent's sales area."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from portal.core.audit import Actor
from portal.proposals import pendencies
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import Pendency, PendencyType, ProposalDocument
from tests import factories
from tests.conftest import csrf_token_from
from tests.pipeline_helpers import minimal_pdf, png

OPS = Actor(id=None, label="operador@teste")


def _files(root):
    folder = root / "proposals"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _upload(client, path, data, name, token_page):
    token = csrf_token_from(client, token_page)
    return client.post(
        path, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_operations_upload_and_download(client, db, org, sign_in, storage_root):
    proposal = factories.proposal(db, org.client)
    before = _files(storage_root)
    sign_in(org.operations_user)
    page = f"/operations/proposals/{proposal.id}"
    refused = _upload(client, f"{page}/documents", minimal_pdf(), "../../RG frente.pdf", page)
    assert refused.status_code == 422 and "caminho de pastas" in refused.get_data(as_text=True)
    assert _files(storage_root) == before
    response = _upload(client, f"{page}/documents", minimal_pdf(), "RG frente.pdf", page)
    assert response.status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "RG frente.pdf" in html
    document = db.scalar(select(ProposalDocument).where(ProposalDocument.proposal_id == proposal.id))
    assert len(_files(storage_root)) == len(before) + 1
    download = client.get(f"{page}/documents/{document.id}")
    assert download.status_code == 200 and download.data == minimal_pdf()
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "application/pdf"


def test_malicious_upload_shows_a_message_and_stores_nothing(client, db, org, sign_in, storage_root):
    proposal = factories.proposal(db, org.client)
    before = _files(storage_root)
    sign_in(org.operations_user)
    page = f"/operations/proposals/{proposal.id}"
    response = _upload(client, f"{page}/documents", b"<?php system($_GET['c']); ?>", "contrato.pdf", page)
    assert response.status_code == 422
    assert "Tipo de arquivo não aceito" in response.get_data(as_text=True)
    assert _files(storage_root) == before
    assert db.scalar(select(func.count()).select_from(ProposalDocument)) == 0


def test_oversized_request_gets_413_and_nothing_is_stored(
    client, db, org, sign_in, storage_root, app, monkeypatch
):
    proposal = factories.proposal(db, org.client)
    before = _files(storage_root)
    sign_in(org.operations_user)
    page = f"/operations/proposals/{proposal.id}"
    token = csrf_token_from(client, page)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)  # stands in for the 1 GB case
    big = minimal_pdf() + b"0" * (128 * 1024)
    response = client.post(
        f"{page}/documents",
        data={"csrf_token": token, "file": (io.BytesIO(big), "enorme.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Arquivo muito grande" in response.get_data(as_text=True)
    assert _files(storage_root) == before


def test_per_document_limit_below_the_request_limit(client, db, org, sign_in, storage_root, app, monkeypatch):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024 * 1024)
    page = f"/operations/proposals/{proposal.id}"
    response = _upload(client, f"{page}/documents", png() + b"\0" * (2 * 1024 * 1024), "foto.png", page)
    assert response.status_code == 422
    assert "limite por documento é 1 MB" in response.get_data(as_text=True)


def test_agent_sees_only_own_proposals(client, db, org, sign_in):
    mine = factories.proposal(db, org.client)
    theirs = factories.proposal(db, org.other_client)
    sign_in(org.agent_user)
    html = client.get("/sales/proposals").get_data(as_text=True)
    assert f'data-testid="row-{mine.id}"' in html and f'data-testid="row-{theirs.id}"' not in html
    assert client.get(f"/sales/proposals/{theirs.id}").status_code == 404
    assert client.get(f"/sales/proposals/{mine.id}").status_code == 200
    export = client.get("/sales/proposals/export.csv").get_data(as_text=True)
    assert "Maria da Silva" in export and "José Souza" not in export


def test_agent_resolves_own_pendency_not_operations_ones(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    kind = db.scalar(select(PendencyType).where(PendencyType.name == "Biometria pendente"))
    own = pendencies.open_pendency(db, OPS, proposal, NewPendency(kind.id, "agent", "Refazer a selfie"))
    ops_owned = pendencies.open_pendency(db, OPS, proposal, NewPendency(kind.id, "operations"))
    sign_in(org.agent_user)
    home = client.get("/sales/pendencies", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Refazer a selfie" in home and f"Proposta nº {proposal.id}" in home
    page = f"/sales/proposals/{proposal.id}"
    html = client.get(page).get_data(as_text=True)
    assert html.count("Resolver</button>") == 1  # only the agent's own pendency
    token = csrf_token_from(client, page)
    refused = client.post(f"{page}/pendencies/{ops_owned.id}/resolve", data={"csrf_token": token})
    assert refused.status_code == 403
    done = client.post(f"{page}/pendencies/{own.id}/resolve", data={"csrf_token": token, "note": "Enviada"})
    assert done.status_code == 303
    db.expire_all()
    assert (
        db.get(Pendency, own.id).resolved_at is not None
        and db.get(Pendency, ops_owned.id).resolved_at is None
    )
    # Operations are offered the form for the pendency the agent could not resolve.
    client.post("/logout", data={"csrf_token": csrf_token_from(client, page)})
    sign_in(org.operations_user)
    ops_page = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    assert ops_page.count("Resolver</button>") == 1
    assert f"/pendencies/{ops_owned.id}/resolve" in ops_page


def test_agent_uploads_to_own_proposal_only(client, db, org, sign_in, storage_root):
    mine = factories.proposal(db, org.client)
    theirs = factories.proposal(db, org.other_client)
    sign_in(org.agent_user)
    page = f"/sales/proposals/{mine.id}"
    assert _upload(client, f"{page}/documents", png(), "selfie.png", page).status_code == 303
    other = _upload(client, f"/sales/proposals/{theirs.id}/documents", png(), "x.png", page)
    assert other.status_code == 404
    document = db.scalar(select(ProposalDocument).where(ProposalDocument.proposal_id == mine.id))
    assert client.get(f"{page}/documents/{document.id}").data == png()
    assert client.get(f"/operations/proposals/{mine.id}/documents/{document.id}").status_code == 403
