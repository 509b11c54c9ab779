"""LGPD console: data-subject requests with the 15-day clock, the incident register with
the 3-business-day clock, and retention runs with their history (fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.clients.lgpd_models import RetentionRun, SecurityIncident, SubjectRequest
from portal.clients.models import Client
from portal.core.audit import AuditEntry
from portal.web.admin import lgpd_views
from tests import factories
from tests.conftest import form_post
from tests.jobs.conftest import manual_runner  # noqa: F401  (the retention job runs by hand)
from tests.page_text import text_by_testid, visible_text

CPF = "52998224725"


@pytest.fixture
def clock(monkeypatch):
    def set_day(year: int, month: int, day: int) -> None:
        moment = datetime(year, month, day, 15, 0, tzinfo=UTC)  # midday in Brasília
        monkeypatch.setattr(lgpd_views, "utcnow", lambda: moment)

    return set_day


def _table(client, url: str, testid: str) -> str:
    return text_by_testid(client.get(url).get_data(as_text=True), testid)


def _text(client, url: str) -> str:
    return visible_text(client.get(url).get_data(as_text=True))


def _owner(db):
    return factories.collaborator(db, factories.user(db, role="agent"), factories.org_unit(db))


def test_request_is_due_in_15_days_and_shows_time_left_then_overdue(client, db, login_as, clock):
    login_as("admin", email="dpo@teste.athenas")
    subject = factories.client(db, _owner(db), cpf=CPF, name="Maria Titular")
    clock(2026, 3, 10)
    page = "/admin/privacy/requests"
    future = {"kind": "acesso", "received_on": "2026-03-11", "cpf": CPF}
    form_post(client, page, future, token_page=page)
    assert db.scalar(select(SubjectRequest)) is None
    assert "A data de recebimento não pode ser futura." in visible_text(
        client.get(page).get_data(as_text=True)
    )
    data = {"kind": "acesso", "received_on": "2026-03-02", "cpf": "529.982.247-25", "reference": "PROT-7"}
    created = form_post(client, page, data, token_page=page)
    assert created.status_code == 303
    request = db.scalar(select(SubjectRequest))
    assert (request.client_id, request.due_on.isoformat()) == (subject.id, "2026-03-17")
    listing = _table(client, page, "requests-table")
    assert "Acesso aos dados" in listing and "17/03/2026" in listing and "Faltam 7 dia(s)" in listing
    detail_url = f"/admin/privacy/requests/{request.id}"
    detail = client.get(detail_url).get_data(as_text=True)
    assert f"/admin/privacy/clients/{subject.id}/report.pdf" in detail
    clock(2026, 3, 18)
    assert "Atrasada há 1 dia(s)" in text_by_testid(
        client.get(f"{page}?state=overdue").get_data(as_text=True), "requests-table"
    )
    short = {"answered_on": "2026-03-18", "answer": "ok"}
    form_post(client, f"{detail_url}/answer", short, token_page=detail_url)
    assert db.get(SubjectRequest, request.id).answered_on is None
    answer = {"answered_on": "2026-03-18", "answer": "Relatório completo enviado por e-mail ao titular."}
    assert form_post(client, f"{detail_url}/answer", answer, token_page=detail_url).status_code == 303
    assert "Respondida com 1 dia(s) de atraso" in _text(client, detail_url)
    assert "Nenhuma solicitação." in text_by_testid(
        client.get(f"{page}?state=open").get_data(as_text=True), "requests-table"
    )
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.target == f"privacy_request:{request.id}")
    ).all()
    assert actions == ["privacy.request_registered", "privacy.request_answered"]


def test_incident_clock_counts_business_days_around_good_friday(client, db, login_as, clock):
    login_as("admin")
    clock(2026, 4, 1)  # Wednesday before Good Friday (03/04/2026)
    page = "/admin/privacy/incidents"
    data = {"title": "Planilha de clientes enviada ao destinatário errado", "severity": "alta",
            "known_on": "2026-04-01", "subjects_affected": "120", "data_categories": "Nome, CPF"}  # fmt: skip
    assert form_post(client, page, data, token_page=page).status_code == 303
    incident = db.scalar(select(SecurityIncident))
    assert incident.notify_by.isoformat() == "2026-04-07"  # Thu 02, Mon 06, Tue 07
    assert "Faltam 3 dia(s) útil(eis)" in text_by_testid(
        client.get(page).get_data(as_text=True), "incidents-table"
    )
    clock(2026, 4, 3)
    assert "Faltam 2 dia(s) útil(eis)" in text_by_testid(
        client.get(page).get_data(as_text=True), "incidents-table"
    )
    clock(2026, 4, 7)
    assert "Último dia para comunicar" in text_by_testid(
        client.get(page).get_data(as_text=True), "incidents-table"
    )
    clock(2026, 4, 8)
    overdue = _table(client, f"{page}?state=overdue", "incidents-table")
    assert "Prazo vencido em 07/04/2026 (1 dia(s) útil(eis))" in overdue
    detail_url = f"{page}/{incident.id}"
    form_post(client, f"{detail_url}/notify", {"whom": "anpd", "on": "2026-04-06"}, token_page=detail_url)
    form_post(client, f"{detail_url}/notify", {"whom": "subjects", "on": "2026-04-08"}, token_page=detail_url)
    detail = _text(client, detail_url)
    assert "Comunicado com 1 dia(s) útil(eis) de atraso" in detail
    assert "Nenhum incidente registrado." in text_by_testid(
        client.get(f"{page}?state=open").get_data(as_text=True), "incidents-table"
    )


def test_retention_run_flags_and_anonymises_and_keeps_its_history(client, db, login_as, manual_runner):  # noqa: F811
    login_as("admin", email="dpo@teste.athenas")
    owner = _owner(db)
    old = factories.client(
        db, owner, name="Cliente Antigo", last_activity_at=datetime(2015, 1, 1, tzinfo=UTC)
    )
    recent = factories.client(db, owner, name="Cliente Recente")
    page = "/admin/privacy/retention/runs"
    unconfirmed = {"years": "5", "grace_days": "0", "anonymise": "1"}
    form_post(client, page, unconfirmed, token_page=page)
    assert db.scalar(select(RetentionRun)) is None
    started = form_post(client, page, {**unconfirmed, "confirmation": "anonimizar"}, token_page=page)
    assert started.status_code == 303 and "/jobs/" in started.headers["Location"]
    manual_runner.run_all()
    db.expire_all()
    assert db.get(Client, old.id).is_anonymised and not db.get(Client, recent.id).is_anonymised
    history = _table(client, page, "runs-table")
    assert "dpo@teste.athenas" in history and "Marcar e anonimizar (carência de 0 dias)" in history
    run = db.scalar(select(RetentionRun))
    assert (run.flagged, run.anonymised, run.held, run.state) == (1, 1, 0, "done")
