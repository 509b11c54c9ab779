"""IDOR: another agent's client is "not found" everywhere, whatever the id trick."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.clients.consents import Evidence, grant_consent
from portal.clients.models import BenefitLink, Consent
from portal.core.audit import SYSTEM, AuditEntry
from tests import factories
from tests.conftest import csrf_token_from, form_post


def test_agent_gets_404_for_another_agents_client_in_pages_partials_and_exports(app, client, db):
    org = factories.client_org(db)
    theirs = factories.client(db, org.peer, cpf="52998224725", name="Cliente Alheio", phone="11987654321")
    link = BenefitLink(client_id=theirs.id, agreement="INSS", benefit_number="123", benefit_index="x")
    db.add(link)
    db.flush()
    consent = grant_consent(
        db, SYSTEM, theirs, purpose="contact", legal_basis="consent", channel="phone",
        evidence=Evidence("t.pdf", b"%PDF-1.4\n%%EOF\n"), storage_dir=app.config["STORAGE_DIR"],
    )  # fmt: skip
    mine = factories.client(db, org.agent, name="Cliente Meu")
    form_post(client, "/login", {"email": org.agent_user.email, "password": factories.PASSWORD})
    token = csrf_token_from(client, f"/sales/clients/{mine.id}")
    base = f"/sales/clients/{theirs.id}"
    htmx = {"HX-Request": "true", "X-CSRFToken": token}

    gets = [base, f"{base}/edit", f"{base}/consents/{consent.id}/evidence"]
    for path in gets:
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers={"HX-Request": "true"}).status_code == 404, path
    posts = [
        (f"{base}/reveal/cpf", {}),
        (f"{base}/reveal/benefit_number", {"link_id": str(link.id)}),
        (f"{base}/edit", {"name": "Hackeado", "provenance": "agent"}),
        (f"{base}/links", {"agreement": "INSS", "benefit_number": "999"}),
        (f"{base}/links/{link.id}/remove", {}),
        (f"{base}/consents", {"purpose": "contact", "legal_basis": "consent", "channel": "phone"}),
        (f"{base}/consents/{consent.id}/revoke", {}),
    ]
    for path, data in posts:
        response = client.post(path, data=data, headers=htmx)
        assert response.status_code == 404, path
        assert "Cliente Alheio" not in response.get_data(as_text=True)
    # Someone else's link or consent through my own client: also 404.
    assert (
        client.post(
            f"/sales/clients/{mine.id}/reveal/benefit_number", data={"link_id": str(link.id)}, headers=htmx
        ).status_code
        == 404
    )
    assert client.get(f"/sales/clients/{mine.id}/consents/{consent.id}/evidence").status_code == 404

    for fmt in ("csv", "xlsx"):
        export = client.get(f"/sales/clients/export.{fmt}?q=52998224725")
        assert export.status_code == 200
        assert b"Cliente Alheio" not in export.data
    assert "Cliente Alheio" not in client.get("/sales/clients?q=52998224725").get_data(as_text=True)

    db.expire_all()
    assert theirs.name == "Cliente Alheio"
    assert db.scalar(select(func.count()).select_from(BenefitLink)) == 1
    assert db.get(Consent, consent.id).revoked_at is None
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "client.pii_revealed")) is None
