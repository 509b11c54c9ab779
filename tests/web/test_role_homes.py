"""Each role's home page opens on its own numbers in pt-BR, each figure linking to the
list behind it; filters reload the figures by HTMX; the tables export; the system health
page is the admins' only."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.banks.call_log import BankCall, record_call
from portal.banks.types import Capability
from portal.web.admin import health_views
from portal.web.finance import views as finance_views
from portal.web.operations import views as operations_views
from portal.web.sales import views as sales_views
from tests import factories
from tests.banks.helpers import WEBHOOK_SECRET
from tests.commissions.reconciliation.helpers import line, report
from tests.conftest import sign_in
from tests.insights.helpers import TODAY, add_pendencies, build, statement
from tests.page_text import text_by_testid

NOW = datetime(2026, 6, 15, 15, 0, tzinfo=UTC)


@pytest.fixture
def scene(db, monkeypatch):
    for module in (sales_views, operations_views, finance_views):
        monkeypatch.setattr(module, "today", lambda: TODAY)
    h = build(db, monkeypatch)
    add_pendencies(db, h)
    return h


def _ana(db, h):
    return db.get(type(h.bruno_user), h.w.agent.user_id)


def test_agent_home_shows_own_month_in_pt_br_with_links(client, db, scene):
    sign_in(client, db, _ana(db, scene))
    html = client.get("/sales/?period=2026-03").get_data(as_text=True)
    assert text_by_testid(html, "production") == "R$ 15.000,00"
    assert text_by_testid(html, "production-note") == "2 contrato(s)"
    assert text_by_testid(html, "earnings") == "R$ 366,00"
    assert text_by_testid(html, "target") == "R$ 20.000,00"
    assert text_by_testid(html, "target-note") == "75,0% atingido"
    assert (
        text_by_testid(html, "pendencies") == "2"
        and text_by_testid(html, "pendencies-note") == "1 vencida(s)"
    )
    assert "Bem-vindo" not in html
    # The production figure opens the proposals paid in the month: the same two.
    href = "/sales/proposals?paid_from=2026-03-01&amp;paid_to=2026-03-31"
    assert href in html
    listed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert listed.count('data-testid="row-') == 2
    assert 'href="/sales/commissions?period=2026-03"' in html


def test_agent_exports_own_statements_only(client, db, scene):
    statement(db, scene.w.agent, "2026-05", "approved", "360.00", date(2026, 6, 1))
    statement(db, scene.w.agent, "2026-06", "draft", "99.00")
    statement(db, scene.bruno, "2026-05", "approved", "280.00", date(2026, 6, 1))
    sign_in(client, db, _ana(db, scene))
    csv = client.get("/sales/statements/export.csv").get_data(as_text=True).strip().splitlines()
    assert len(csv) == 2 and csv[1].startswith("2026-05;") and "360" in csv[1]


def test_agent_home_filter_answers_htmx_with_the_figures_only(client, db, scene):
    sign_in(client, db, _ana(db, scene))
    fragment = client.get("/sales/?period=2026-04", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert text_by_testid(fragment, "production") == "R$ 0,00"
    assert text_by_testid(fragment, "earnings") == "R$ 36,00"
    # A month outside the offered ones falls back to this month.
    june = client.get("/sales/?period=1999-01").get_data(as_text=True)
    assert "Produção paga em 06/2026" in june and 'value="2026-06" selected' in june


def test_an_agent_sees_only_own_numbers(client, db, scene):
    sign_in(client, db, scene.bruno_user)
    html = client.get("/sales/?period=2026-03").get_data(as_text=True)
    assert text_by_testid(html, "production") == "R$ 7.000,00"
    assert text_by_testid(html, "earnings") == "R$ 168,00"
    assert text_by_testid(html, "pendencies") == "1"


def test_operations_home_figures_bank_filter_list_and_exports(client, db, scene):
    factories.bank(db, "daycoval", name="Daycoval")
    review = factories.proposal(
        db, scene.w.client, scene.w.agent, status="under_analysis", bank_code="daycoval"
    )
    review.needs_review = True
    db.flush()
    sign_in(client, db, factories.user(db, role="operations"))
    html = client.get("/operations/").get_data(as_text=True)
    assert text_by_testid(html, "needs-review") == "1"
    assert text_by_testid(html, "overdue-pendencies") == "3"
    table = text_by_testid(html, "overdue-by-owner")
    assert "Operações1" in table and "Bruno Vendedor (corretor)1" in table
    fragment = client.get("/operations/?bank=facta", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and text_by_testid(fragment, "needs-review") == "0"
    assert text_by_testid(fragment, "overdue-pendencies") == "3"
    listed = client.get("/operations/pendencies/overdue?owner=agent").get_data(as_text=True)
    assert listed.count('data-testid="overdue-') == 3  # the table and two rows
    csv = client.get("/operations/pendencies/overdue/export.csv?owner=agent").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 3  # header + Ana's and Bruno's
    summary = client.get("/operations/home/export.csv").get_data(as_text=True)
    assert "Pendências vencidas;Operações;1" in summary


def test_finance_home_period_and_bank_filter_links_and_export(client, db, scene):
    line(db, report(db), "CT-A1", "598.50", date(2026, 3, 28))
    statement(db, scene.w.agent, "2026-03", "approved", "360.00", date(2026, 6, 1))
    sign_in(client, db, factories.user(db, role="finance"))
    html = client.get("/finance/?period=2026-03").get_data(as_text=True)
    assert text_by_testid(html, "recon-open") == "4"
    assert text_by_testid(html, "recon-missing") == "3"
    assert text_by_testid(html, "payouts-late") == "R$ 360,00"
    assert 'href="/finance/reconciliation/items?period=2026-03"' in html
    row = text_by_testid(html, "recon-bank-facta")
    assert "R$ 1.335,00" in row and "R$ 598,50" in row and "Com divergências" in row
    fragment = client.get("/finance/?period=2026-03&bank=facta", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    csv = client.get("/finance/home/export.csv?period=2026-03").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("2026-03;Facta;Com divergências;")


@pytest.mark.parametrize("role", ["agent", "supervisor", "operations", "finance", "manager"])
def test_health_is_for_admins_only(client, login_as, role):
    login_as(role)
    assert client.get("/admin/health").status_code == 403
    assert client.get("/admin/health/calls").status_code == 403
    assert client.get("/admin/health/export.csv").status_code == 403


def test_admin_health_page_figures_and_call_list(client, db, login_as, monkeypatch):
    monkeypatch.setattr(health_views, "now", lambda: NOW)
    factories.bank(db, "facta", name="Facta")
    at = NOW - timedelta(hours=1)
    for outcome, ms in [("ok", 100), ("ok", 300), ("timeout", 1500), ("rejected", 200)]:
        record_call(db, "facta", "lookup", outcome, ms, at=at)
    record_call(db, "facta", "webhook", "rejected_signature", detail="assinatura inválida", at=at)
    db.flush()
    login_as("admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/health"' in home and "Disjuntores dos bancos" in home
    html = client.get("/admin/health").get_data(as_text=True)
    row = text_by_testid(html, "calls-facta")
    assert row == "Facta 4 1 25,0% 525 ms 1.500 ms 1"
    assert text_by_testid(html, "breaker-facta") == "Facta Fechado"
    errors = client.get("/admin/health/calls?bank=facta&errors=1&window=24h").get_data(as_text=True)
    assert "Tempo esgotado" in errors and errors.count('data-testid="call-') == 3  # table + 2 rows
    week = client.get("/admin/health?window=1h", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in week and "Facta 4 1" in text_by_testid(week, "bank-calls")
    csv = client.get("/admin/health/export.csv").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("Facta;4;1;")


def test_a_refused_webhook_is_kept_in_the_call_log(client, db):
    factories.bank(
        db, "daycoval", credentials={"apikey": "k"},
        capabilities=[Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK], webhook_secret=WEBHOOK_SECRET,
    )  # fmt: skip
    response = client.post(
        "/api/banks/daycoval/webhook", data=b"{}", headers={"X-Athenas-Timestamp": str(int(time.time()))}
    )
    assert response.status_code == 401
    [call] = db.scalars(select(BankCall).where(BankCall.kind == "webhook")).all()
    assert (call.bank_code, call.outcome, call.is_error) == ("daycoval", "rejected_signature", True)
    assert "assinatura ausente" in call.detail
