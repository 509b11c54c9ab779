"""LGPD operations: subject report, anonymisation, retention flag."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.clients import privacy, services
from portal.clients.consents import Evidence, grant_consent, require_consent
from portal.clients.models import BenefitLink, Client, ClientStatus
from portal.clients.queries import ClientFilters, clients_page, find_by_cpf
from portal.clients.services import ClientInput
from portal.core.audit import SYSTEM, AuditEntry
from portal.core.errors import DomainError
from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"


def _client(db, org):
    return factories.registered_client(
        db,
        org.agent_user,
        cpf="52998224725",
        name="Joana D'Arc Silva",
        phone="11987654321",
        email="joana@exemplo.com",
        cep="01310100",
        city="São Paulo",
        provenance="agent",
        link={
            "agreement": "INSS",
            "benefit_number": "1234567890",
            "benefit_kind": "41",
            "monthly_income": "3000,00",
        },
    )


def test_subject_report_holds_everything_in_full(db, org, tmp_path):
    client = _client(db, org)
    grant_consent(
        db, SYSTEM, client, purpose="benefit_query", legal_basis="consent", channel="in_person",
        evidence=Evidence("termo.pdf", PDF), storage_dir=tmp_path,
    )  # fmt: skip
    data = privacy.subject_data(db, client)
    assert data["titular"]["cpf"] == "529.982.247-25"
    assert data["titular"]["telefone"] == "(11) 98765-4321"
    assert data["titular"]["nome"] == "Joana D'Arc Silva"
    assert data["vinculos"][0]["numero_beneficio_matricula"] == "1234567890"
    assert data["vinculos"][0]["renda_mensal"] == "3000.00"
    assert data["autorizacoes"][0]["finalidade"] == "Consulta de benefício (IN100)"
    assert data["autorizacoes"][0]["evidencia_sha256"]
    assert any(a["acao"] == "Cadastro" for a in data["acessos_e_tratamentos"])


def test_anonymisation_is_irreversible_and_keeps_the_record(db, org, tmp_path):
    client = _client(db, org)
    consent = grant_consent(
        db, SYSTEM, client, purpose="benefit_query", legal_basis="consent", channel="in_person",
        evidence=Evidence("termo.pdf", PDF), storage_dir=tmp_path,
    )  # fmt: skip
    evidence = tmp_path / consent.evidence_path
    assert evidence.exists()
    pseudonym = privacy.anonymise_client(db, SYSTEM, client, tmp_path)

    db.expire_all()
    same = db.get(Client, client.id)
    assert same.status == ClientStatus.ANONYMISED
    assert same.name == f"Titular anonimizado #{pseudonym}"
    assert same.cpf is None and same.cpf_index is None and same.phone is None and same.email is None
    assert same.cep is None and same.city is None
    link = db.scalar(select(BenefitLink).where(BenefitLink.client_id == client.id))
    assert link.agreement == "INSS" and link.benefit_kind == "41"  # kept for financial records
    assert link.benefit_number is None and link.benefit_index is None and link.monthly_income is None
    assert not evidence.exists()
    assert find_by_cpf(db, "52998224725") is None
    with pytest.raises(DomainError, match="sem autorização"):
        require_consent(db, same, "benefit_query")  # the history stays, the authorisation doesn't
    assert db.scalar(select(AuditEntry.details).where(AuditEntry.action == "client.anonymised")) == {
        "pseudonym": pseudonym
    }
    # Active lists no longer show the person; the same CPF may come back as a new client.
    assert clients_page(db, org.agent_user, ClientFilters(), None).items == []
    with pytest.raises(DomainError, match="já foi anonimizado"):
        privacy.anonymise_client(db, SYSTEM, same, tmp_path)
    with pytest.raises(DomainError, match="anonimizado"):
        services.update_client(db, SYSTEM, org.agent_user, same, ClientInput(name="X", provenance="agent"))


def test_retention_flags_clients_inactive_for_n_years(db, org):
    old = factories.client(db, org.agent, last_activity_at=datetime(2019, 5, 1, tzinfo=UTC))
    recent = factories.client(db, org.agent, last_activity_at=datetime(2024, 6, 1, tzinfo=UTC))
    today = date(2026, 6, 1)
    assert {c.id for c in db.scalars(privacy.inactive_clients(5, today))} == {old.id}
    assert privacy.flag_inactive_clients(db, 5, today) == 1
    assert privacy.flag_inactive_clients(db, 5, today) == 0  # already flagged
    assert privacy.flag_inactive_clients(db, 1, today) == 1  # the recent one, under a 1-year rule
    db.expire_all()
    assert db.get(Client, old.id).retention_flagged_at is not None
    assert db.get(Client, recent.id).retention_flagged_at is not None
    with pytest.raises(DomainError, match="entre 1 e 50"):
        privacy.flag_inactive_clients(db, 0, today)
    assert privacy.retention_cutoff(1, date(2024, 2, 29)) == datetime(2023, 2, 28, tzinfo=UTC)
