"""LGPD: proposals and contracts hold a client's data and keep the client active."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.clients.models import Client
from portal.proposals import retention
from tests import factories
from tests.conftest import csrf_token_from


def _old_client(db, name="Antigo"):
    org = factories.client_org(db)
    return factories.client(db, org.agent, name=name, last_activity_at=datetime(2015, 1, 1, tzinfo=UTC))


def _age(db, proposal, **moments):
    for column, value in moments.items():
        setattr(proposal, column, value)
    db.flush()


def test_anonymising_is_refused_while_a_proposal_is_in_progress_and_the_page_lists_it(client, db, login_as):
    subject = _old_client(db)
    open_one = factories.proposal(db, subject, status="under_analysis")
    login_as("admin")
    page = f"/admin/privacy/clients/{subject.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="retention-holds"' in html and f"#{open_one.id}" in html
    assert "Proposta em andamento (Em análise)." in html
    assert "Anonimizar definitivamente" not in html
    token = csrf_token_from(client, page)
    refused = client.post(f"{page}/anonymise", data={"csrf_token": token, "confirmation": "ANONIMIZAR"})
    assert refused.status_code == 422
    assert "Não é possível anonimizar: 1 proposta(s)" in refused.get_data(as_text=True)
    db.expire_all()
    assert not db.get(Client, subject.id).is_anonymised


def test_a_contract_holds_the_data_for_five_years_after_its_last_installment(db):
    subject = _old_client(db)
    contract = factories.proposal(db, subject, status="submitted", term_months=84)
    # Paid 10 Mar 2016, 84 months → ends 10 Mar 2023 → held until 10 Mar 2028.
    _age(db, contract, status="paid", paid_at=datetime(2016, 3, 10, 15, tzinfo=UTC),
         status_changed_at=datetime(2016, 3, 10, 15, tzinfo=UTC))  # fmt: skip
    holds = retention.holds_on(db, subject, date(2028, 3, 9))
    assert [h.reason for h in holds] == ["Contrato em guarda legal até 10/03/2028."]
    assert retention.holds_on(db, subject, date(2028, 3, 10)) == []
    # A refused proposal never became a contract: it holds nothing.
    _age(db, contract, status="refused", paid_at=None)
    assert retention.holds_on(db, subject, date(2020, 1, 1)) == []


def test_retention_list_reads_the_latest_proposal_and_running_contracts(client, db, login_as):
    recent_proposal = _old_client(db, "Com proposta desta semana")
    factories.proposal(db, recent_proposal, status="submitted")
    running = _old_client(db, "Com contrato vigente")
    contract = factories.proposal(db, running, status="submitted", term_months=120)
    old = datetime(2017, 6, 1, tzinfo=UTC)
    _age(db, contract, status="paid", paid_at=old, status_changed_at=old, created_at=old)
    finished = _old_client(db, "Realmente inativo")
    refused = factories.proposal(db, finished, status="submitted")
    _age(db, refused, status="refused", status_changed_at=old, created_at=old)
    login_as("admin")
    html = client.get("/admin/privacy/retention?years=5").get_data(as_text=True)
    assert "Realmente inativo" in html
    assert "Com proposta desta semana" not in html and "Com contrato vigente" not in html
    token = csrf_token_from(client, "/admin/privacy/retention")
    done = client.post("/admin/privacy/retention?years=5", data={"csrf_token": token}, follow_redirects=True)
    assert "1 cliente(s) marcado(s)" in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(Client, recent_proposal.id).retention_flagged_at is None
    assert db.get(Client, finished.id).retention_flagged_at is not None
