"""List, export, proposal page, settings pages and constant query counts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.core.audit import SYSTEM
from portal.core.db import utcnow
from portal.proposals.mapping import apply_bank_status
from portal.proposals.models import BankStatusMapping, Proposal
from portal.proposals.pipeline_models import PendencyType, SlaLimit
from tests import factories
from tests.conftest import csrf_token_from
from tests.pipeline_helpers import count_queries


def _post(client, path, data, token_page):
    return client.post(path, data={**data, "csrf_token": csrf_token_from(client, token_page)})


def test_list_filters_and_export_exactly_the_filtered_rows(client, db, org, sign_in):
    facta = [factories.proposal(db, org.client, bank_code="facta") for _ in range(3)]
    factories.proposal(db, org.other_client, bank_code="c6", product="clt", agreement="CLT")
    late = facta[0]
    late.status_changed_at = utcnow() - timedelta(days=5)
    db.flush()
    sign_in(org.operations_user)
    html = client.get("/operations/proposals?bank=facta").get_data(as_text=True)
    assert all(f'data-testid="row-{p.id}"' in html for p in facta) and "José Souza" not in html
    assert all(f'<a href="/operations/proposals/{p.id}">{p.id}</a>' in html for p in facta)
    assert 'class="sla-breached"' in html
    response = client.get("/operations/proposals/export.xlsx?bank=facta&sla=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nº", "Cliente", "Corretor")
    assert [r[0] for r in rows[1:]] == [late.id]
    assert rows[1][15] is True  # "SLA estourado"


def test_list_pages_with_a_cursor(client, db, org, sign_in, monkeypatch):
    from portal.proposals import listing

    made = [factories.proposal(db, org.client) for _ in range(3)]
    sign_in(org.operations_user)
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    first = client.get("/operations/proposals").get_data(as_text=True)
    assert "Próxima página" in first and f'data-testid="row-{made[0].id}"' not in first
    cursor = first.split("after=")[1].split('"')[0].split("&")[0]
    second = client.get(f"/operations/proposals?after={cursor}", headers={"HX-Request": "true"})
    assert f'data-testid="row-{made[0].id}"' in second.get_data(as_text=True)


def _bulk(db, org, n):
    for i in range(n):
        proposal = factories.proposal(db, org.client if i % 2 else org.other_client)
        if i % 3 == 0:
            apply_bank_status(db, SYSTEM, proposal, f"STATUS ESTRANHO {i}")


def test_results_fragment_reads_no_filter_choices(client, db, org, sign_in, app):
    made = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    path = "/operations/proposals?bank=facta"
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="agent-filter"' in page  # the full page offers the agent filter
    with count_queries(app.extensions["athenas.db"]["engine"]) as fragment:
        html = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'data-testid="row-{made.id}"' in html and "<select" not in html
    assert not [s for s in fragment if "collaborators.name" in s and "proposals" not in s]


@pytest.mark.parametrize(
    "path",
    [
        "/operations/board",
        "/operations/board/columns/submitted",
        "/operations/proposals",
        "/operations/proposals?needs_review=1",
        "/operations/proposals?bank=facta&status=submitted&sla=1",
        "/operations/proposals?agent=1&bank=facta",  # the chosen agent's name read with the stores
        "/operations/proposals/agents?q=co",
    ],
)
def test_pages_use_a_constant_number_of_queries(client, db, org, sign_in, app, path):
    sign_in(org.operations_user)
    _bulk(db, org, 3)
    client.get(path)  # warm-up (login, session)
    with count_queries(app.extensions["athenas.db"]["engine"]) as few:
        assert client.get(path).status_code == 200
    _bulk(db, org, 30)
    with count_queries(app.extensions["athenas.db"]["engine"]) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    assert len(few) <= 12


def test_proposal_page_queries_do_not_grow_with_history(client, db, org, sign_in, app, storage_root):
    from portal.core.audit import Actor
    from portal.proposals import pendencies
    from portal.proposals.documents import store_document
    from portal.proposals.operations import move
    from portal.proposals.pendencies import NewPendency
    from tests.pipeline_helpers import minimal_pdf

    proposal = factories.proposal(db, org.client)
    kind = db.scalar(select(PendencyType).limit(1))
    ops = Actor(id=org.operations_user.id, label="ops")
    sign_in(org.operations_user)
    path = f"/operations/proposals/{proposal.id}"
    client.get(path)
    pendencies.open_pendency(db, ops, proposal, NewPendency(kind.id, "agent"))
    store_document(db, ops, proposal, minimal_pdf(), "a.pdf", storage_root)
    with count_queries(app.extensions["athenas.db"]["engine"]) as few:
        assert client.get(path).status_code == 200
    for i in range(8):
        pendencies.open_pendency(db, ops, proposal, NewPendency(kind.id, "operations", f"p{i}"))
        store_document(db, ops, proposal, minimal_pdf(f"doc {i}"), f"d{i}.pdf", storage_root)
        pendencies.save_type(db, ops, f"Tipo novo {i}")
    move(db, ops, proposal, "waiting_signature")
    move(db, ops, proposal, "pending", reason="Selfie ilegível")
    with count_queries(app.extensions["athenas.db"]["engine"]) as reread:
        assert client.get(path).status_code == 200
    # New types: this page reads the catalogue again (one statement more), the next ones not.
    assert len([s for s in reread if "SAVEPOINT" not in s]) == 3, reread
    with count_queries(app.extensions["athenas.db"]["engine"]) as many:
        html = client.get(path).get_data(as_text=True)
    assert len(many) == len(few)
    assert "d7.pdf" in html and "Pendência aberta" in html and "Maria da Silva" in html
    assert "Selfie ilegível" in html and "Tipo novo 7" in html  # timeline and the form's types
    # The session record and the user; the proposal with its names, history, bank, pendencies,
    # documents and the catalogue's token (the form's types and the SLA limits are this
    # process's copy while the token is the same), plus the test's SAVEPOINT pair.
    assert len([s for s in many if "SAVEPOINT" not in s]) == 2, many


def test_agents_proposal_page_in_two_statements_whatever_its_history(client, db, org, sign_in, app):
    from portal.core.audit import Actor
    from portal.proposals import pendencies
    from portal.proposals.pendencies import NewPendency

    proposal = factories.proposal(db, org.client)
    kind = db.scalar(select(PendencyType).limit(1))
    ops = Actor(id=org.operations_user.id, label="ops")
    sign_in(org.agent_user)
    path = f"/sales/proposals/{proposal.id}"
    client.get(path)
    with count_queries(app.extensions["athenas.db"]["engine"]) as few:
        assert client.get(path).status_code == 200
    for i in range(5):
        pendencies.open_pendency(db, ops, proposal, NewPendency(kind.id, "agent", f"falta {i}"))
    with count_queries(app.extensions["athenas.db"]["engine"]) as many:
        html = client.get(path).get_data(as_text=True)
    assert "falta 4" in html and "Maria da Silva" in html
    assert len(many) == len(few)
    assert len([s for s in many if "SAVEPOINT" not in s]) == 2, many


def test_proposal_page_names_the_people_around_it(client, db, org, sign_in, storage_root):
    from portal.core.audit import SYSTEM, Actor
    from portal.proposals import pendencies
    from portal.proposals.documents import store_document
    from portal.proposals.pendencies import NewPendency
    from tests.pipeline_helpers import minimal_pdf

    proposal = factories.proposal(db, org.client)
    kind = db.scalar(select(PendencyType).where(PendencyType.active.is_(True)).limit(1))
    ops = Actor(id=org.operations_user.id, label="ops")
    done = pendencies.open_pendency(db, ops, proposal, NewPendency(kind.id, "agent", "biometria"))
    pendencies.resolve_pendency(db, ops, org.operations_user, proposal, done, "feita na loja")
    store_document(db, ops, proposal, minimal_pdf(), "rg.pdf", storage_root)
    store_document(db, SYSTEM, proposal, minimal_pdf("b"), "contrato.pdf", storage_root)
    sign_in(org.operations_user)
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    people = f"por {org.operations_user.name}: feita na loja"
    assert "Maria da Silva" in html and "Ana Corretora" in html and "Loja Centro / Equipe A" in html
    assert people in html
    assert f"{kind.name}</td>" in html and "rg.pdf" in html and "contrato.pdf" in html
    documents = html[html.index('data-testid="documents"') :]
    assert f"<td>{org.operations_user.name}</td>" in documents and "<td>sistema</td>" in documents


def test_a_changed_sla_limit_and_pendency_types_show_on_the_next_page(client, db, org, sign_in):
    from portal.core.audit import Actor
    from portal.proposals import pendencies, sla

    proposal = factories.proposal(db, org.client)
    proposal.status_changed_at = utcnow() - timedelta(hours=10)
    db.flush()
    ops = Actor(id=org.operations_user.id, label="ops")
    sign_in(org.operations_user)
    path = f"/operations/proposals/{proposal.id}"
    first = client.get(path).get_data(as_text=True)
    assert "(limite 24 h)" in first and "SLA estourado" not in first
    sla.save_limits(db, ops, {"submitted": 6})
    kind = pendencies.save_type(db, ops, "Selfie ilegível")
    again = client.get(path).get_data(as_text=True)
    assert "(limite 6 h)" in again and "SLA estourado" in again
    assert f'value="{kind.id}">Selfie ilegível</option>' in again
    pendencies.save_type(db, ops, "Selfie ilegível", kind.id, active=False)
    assert "Selfie ilegível" not in client.get(path).get_data(as_text=True)


def test_proposal_page_shows_data_timeline_and_actions(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client, bank_proposal_number="AF-123")
    sign_in(org.operations_user)
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    assert "AF-123" in html and "Linha do tempo" in html and "Digitada" in html
    assert 'name="version" value="1"' in html and "Aguardando formalização" in html
    assert "***." in html  # masked CPF only


def test_needs_review_list_and_a_late_mapping_releases_it(client, db, org, sign_in):
    parked = factories.proposal(db, org.client)
    apply_bank_status(db, SYSTEM, parked, "Aguardando Assinatura Digital")
    sign_in(org.operations_user)
    html = client.get("/operations/proposals?needs_review=1").get_data(as_text=True)
    assert f'data-testid="row-{parked.id}"' in html and "AGUARDANDO ASSINATURA DIGITAL" in html
    response = _post(
        client,
        "/operations/mappings",
        {"bank_code": "facta", "bank_status": "aguardando assinatura digital", "status": "waiting_signature"},
        "/operations/mappings",
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 proposta(s) saíram da revisão" in page
    db.expire_all()
    assert (db.get(Proposal, parked.id).status, db.get(Proposal, parked.id).needs_review) == (
        "waiting_signature",
        False,
    )
    assert db.scalar(select(BankStatusMapping.status).where(BankStatusMapping.bank_code == "facta"))


def test_sla_page_saves_limits_and_refuses_bad_values(client, db, org, sign_in):
    sign_in(org.operations_user)
    bad = _post(client, "/operations/sla", {"submitted": "dez"}, "/operations/sla")
    assert bad.status_code == 422 and "número inteiro" in bad.get_data(as_text=True)
    good = _post(client, "/operations/sla", {"submitted": "6", "pending": ""}, "/operations/sla")
    assert good.status_code == 303
    assert db.get(SlaLimit, "submitted").hours == 6 and db.get(SlaLimit, "pending") is None


def test_pendency_types_page(client, db, org, sign_in):
    sign_in(org.operations_user)
    created = _post(
        client, "/operations/pendency-types", {"name": "Selfie ilegível"}, "/operations/pendency-types"
    )
    assert created.status_code == 303
    duplicate = _post(
        client, "/operations/pendency-types", {"name": "selfie ilegível"}, "/operations/pendency-types"
    )
    assert duplicate.status_code == 422 and "Já existe" in duplicate.get_data(as_text=True)
    item = db.scalar(select(PendencyType).where(PendencyType.name == "Selfie ilegível"))
    _post(
        client,
        f"/operations/pendency-types/{item.id}",
        {"name": "Selfie ilegível", "active": "0"},
        "/operations/pendency-types",
    )
    db.expire_all()
    assert not db.get(PendencyType, item.id).active


def test_manager_reads_but_cannot_change(client, db, org, login_as):
    proposal = factories.proposal(db, org.client)
    login_as("manager")
    assert client.get("/operations/board").status_code == 200
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    assert "Mover para" not in html
    token = csrf_token_from(client, "/operations/board")
    assert client.post("/operations/sla", data={"csrf_token": token, "submitted": "1"}).status_code == 403


def test_mapping_message_says_how_many_stayed_in_review_and_why(client, db, org, sign_in):
    movable = factories.proposal(db, org.client)
    paid = [factories.proposal(db, org.client, status="paid") for _ in range(2)]
    for proposal in [movable, *paid]:
        apply_bank_status(db, SYSTEM, proposal, "Aguardando Assinatura Digital")
    sign_in(org.operations_user)
    response = _post(
        client,
        "/operations/mappings",
        {"bank_code": "facta", "bank_status": "aguardando assinatura digital", "status": "waiting_signature"},
        "/operations/mappings",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "1 proposta(s) saíram da revisão. 2 continua(m) em revisão: "
        "Não é possível passar de “Paga” para “Aguardando formalização” (2)."
    ) in page.replace("&#34;", '"')
    assert "alert-warning" in page
    db.expire_all()
    assert [db.get(Proposal, p.id).needs_review for p in paid] == [True, True]
