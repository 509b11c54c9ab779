"""What a new user hit in the first hour on the pipeline pages (issue 9)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from portal.core.audit import SYSTEM
from portal.proposals import pendencies
from portal.proposals.models import Proposal
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import Pendency, PendencyType
from portal.web.filters import local_today
from tests import factories
from tests.conftest import csrf_token_from, form_post
from tests.pipeline_helpers import minimal_pdf


def test_proposal_page_shows_peoples_words_not_internals(client, db, org, sign_in):
    proposal = factories.proposal(
        db, org.client,
        extra={"simulation_id": 41, "option": 2, "bank_data": {"idSimulacao": "SIM-99"},
               "signing_channel": "sms", "attempt_started_at": "2024-01-01T00:00:00"},
    )  # fmt: skip
    sign_in(org.operations_user)
    html = client.get(f"/operations/proposals/{proposal.id}").get_data(as_text=True)
    for internal in ("simulation_id", "bank_data", "idSimulacao", "SIM-99", "signing_channel",
                     "attempt_started_at", ">option<"):  # fmt: skip
        assert internal not in html
    assert "Assinatura por" in html and "SMS ao cliente" in html


HX = {"HX-Request": "true"}


def _kind(db, name="Biometria pendente"):
    return db.scalar(select(PendencyType).where(PendencyType.name == name))


def _open(db, proposal, due_on=None, description=""):
    item = pendencies.open_pendency(
        db, SYSTEM, proposal, NewPendency(_kind(db).id, "agent", description, None)
    )
    item.due_on = due_on
    db.flush()
    return item


def test_home_counts_every_open_pendency_links_to_all_and_marks_overdue(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client, status="pending")
    today = local_today()
    overdue = _open(db, proposal, today - timedelta(days=3), "Atrasada")
    upcoming = _open(db, proposal, today + timedelta(days=5), "Futura")
    for _ in range(22):
        _open(db, proposal, None)
    sign_in(org.agent_user)
    home = client.get("/sales/pendencies", headers=HX).get_data(as_text=True)
    assert "Pendências aguardando você (24)" in home
    assert home.count('data-testid="pendency-') == 20
    assert 'href="/sales/pendencies/all"' in home and "Ver todas as 24 pendências" in home
    overdue_li = re.search(rf'<li class="pendency-(\w+)" data-testid="pendency-{overdue.id}"', home)
    upcoming_li = re.search(rf'<li class="pendency-(\w+)" data-testid="pendency-{upcoming.id}"', home)
    assert overdue_li.group(1) == "overdue" and upcoming_li.group(1) == "upcoming"
    assert "Atrasada desde" in home and "text-bg-danger" in home
    full = client.get("/sales/pendencies/all").get_data(as_text=True)
    assert full.count('data-testid="pendency-') == 24


def test_untouched_open_pendency_form_creates_nothing(client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    page = f"/operations/proposals/{proposal.id}"
    html = client.get(page).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="type_id".*?</select>', html, re.S).group(0)
    assert re.search(r'<option selected value="\d', select_html) is None  # no type preselected
    assert '<option selected value="">Selecione…</option>' in select_html
    token = csrf_token_from(client, page)
    untouched = client.post(
        f"{page}/pendencies", data={"csrf_token": token, "type_id": "", "owner_kind": "agent"}
    )
    assert untouched.status_code == 422 and "Escolha o tipo de pendência." in untouched.get_data(as_text=True)
    assert db.scalar(select(func.count(Pendency.id))) == 0


def test_moving_to_pending_asks_for_the_pendency_and_tells_the_agent(app, client, db, org, sign_in):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    form = client.get(
        f"/operations/proposals/{proposal.id}/status-form?target=pending&origin=board", headers=HX
    ).get_data(as_text=True)
    assert 'name="pendency_type_id"' in form and "Comparecer ao INSS" in form
    token = csrf_token_from(client, "/operations/board")
    data = {"target": "pending", "version": proposal.version, "origin": "board",
            "reason": "Benefício bloqueado", "csrf_token": token}  # fmt: skip
    path = f"/operations/proposals/{proposal.id}/status"
    refused = client.post(path, data=data, headers=HX)
    assert refused.status_code == 422 and "Escolha o tipo de pendência." in refused.get_data(as_text=True)
    db.expire_all()
    assert db.get(Proposal, proposal.id).status == "submitted"
    kind = _kind(db, "Comparecer ao INSS")
    done = client.post(path, data={**data, "pendency_type_id": kind.id}, headers=HX)
    assert done.status_code == 200
    db.expire_all()
    assert db.get(Proposal, proposal.id).status == "pending"
    opened = db.scalars(select(Pendency).where(Pendency.proposal_id == proposal.id)).all()
    got = [(p.type_id, p.owner_kind, p.description) for p in opened]
    assert got == [(kind.id, "agent", "Benefício bloqueado")]
    agent = app.test_client()
    form_post(agent, "/login", {"email": org.agent_user.email, "password": factories.PASSWORD})
    home = agent.get("/sales/pendencies", headers=HX).get_data(as_text=True)
    assert "Comparecer ao INSS — Benefício bloqueado" in home


def test_bulk_action_with_nothing_selected_is_told_on_the_filtered_list(client, db, org, sign_in):
    factories.proposal(db, org.client)
    sign_in(org.operations_user)
    listing = "/operations/proposals?bank=facta&status=submitted"
    token = csrf_token_from(client, listing)
    response = client.post(
        "/operations/proposals/bulk",
        data={"csrf_token": token, "action": "status", "target": "under_analysis", "back": listing},
    )
    assert response.status_code == 303 and response.headers["Location"] == listing  # filters kept
    html = client.get(listing).get_data(as_text=True)
    assert "Selecione ao menos uma proposta." in html and 'data-testid="proposals-table"' in html


def test_document_sizes_read_like_people_write_them(client, db, org, sign_in, storage_root):
    proposal = factories.proposal(db, org.client)
    sign_in(org.operations_user)
    page = f"/operations/proposals/{proposal.id}"
    body = minimal_pdf()
    token = csrf_token_from(client, page)
    client.post(f"{page}/documents", data={"csrf_token": token, "file": (io.BytesIO(body), "RG.pdf")},
                content_type="multipart/form-data")  # fmt: skip
    html = client.get(page).get_data(as_text=True)
    assert f"{len(body)} bytes" in html and "0.0 KB" not in html


def test_money_stays_with_its_number_and_money_columns_align_right(app, client, db, org, sign_in):
    factories.proposal(db, org.client, gross_amount=Decimal("1654.17"))
    sign_in(org.operations_user)
    html = client.get("/operations/proposals").get_data(as_text=True)
    assert '<td class="text-end"><span class="money">R$ 1.654,17</span></td>' in html
    rules = (Path(app.static_folder) / "css" / "athenas.css").read_text(encoding="utf-8")
    assert ".money { white-space: nowrap; }" in rules
    assert ".table td.text-end" in rules and "text-align: right" in rules


def test_bank_timeouts_read_3_s_not_3_0_s(client, db, login_as):
    factories.bank(db, "facta", connect_timeout=3.0, read_timeout=15.0)
    login_as("admin")
    html = client.get("/admin/banks").get_data(as_text=True)
    assert "3 s / 15 s" in html and "3.0 s" not in html
