"""Pages that schedule a value from a date: SLA limits (operations) and reconciliation
rules (finance). The past is refused; the history shows old → new, who and when."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.commissions.reconciliation import rules
from portal.proposals import sla
from tests.conftest import form_post
from tests.page_text import text_by_testid, visible_text

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_operations_schedule_an_sla_limit(client, db, login_as, monkeypatch):
    monkeypatch.setattr(sla, "utcnow", lambda: NOW)
    login_as("operations", email="ops@teste.athenas")
    page = "/operations/sla"
    form_post(client, page, {"submitted": "24"}, token_page=page)
    past = form_post(
        client,
        "/operations/sla/schedule",
        {"status": "submitted", "hours": "48", "valid_from": "2026-03-09"},
        token_page=page,
    )
    assert past.status_code == 303
    refused = visible_text(client.get(page).get_data(as_text=True))
    assert "A vigência deve começar hoje (10/03/2026) ou depois: o passado não é alterado." in refused
    ok = form_post(
        client,
        "/operations/sla/schedule",
        {"status": "submitted", "hours": "48", "valid_from": "2026-04-01"},
        token_page=page,
    )
    assert ok.status_code == 303
    html = client.get(page).get_data(as_text=True)
    history = text_by_testid(html, "sla-history")
    assert "Digitada" in history and "submitted" not in history
    assert "24 → 48" in history and "01/04/2026" in history and "agendado" in history
    assert "ops@teste.athenas" in history
    assert 'value="24"' in html  # today's limit unchanged


def test_finance_schedule_reconciliation_tolerance(client, db, login_as, monkeypatch):
    monkeypatch.setattr(rules, "utcnow", lambda: NOW)
    login_as("finance", email="fin@teste.athenas")
    page = "/finance/reconciliation/received"
    data = {"bank_code": "*", "tolerance": "2,00", "missing_after_days": "30", "valid_from": "2026-04-01"}
    assert form_post(client, "/finance/reconciliation/rules", data, token_page=page).status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "R$ 0,05" in text_by_testid(html, "recon-rules")  # still today's tolerance
    history = text_by_testid(html, "recon-rules-history")
    assert "Tolerância" in history and "R$ 0,05 → R$ 2,00" in history and "agendado" in history
    assert "fin@teste.athenas" in history


def test_admin_overview_shows_every_dated_value(client, db, login_as, monkeypatch):
    from decimal import Decimal

    from portal.core.audit import Actor

    monkeypatch.setattr(sla, "utcnow", lambda: NOW)
    login_as("admin")
    ops = Actor(id=None, label="ops@teste.athenas")
    sla.schedule_limit(db, ops, "pending", 72, NOW.date().replace(day=20), NOW.date())
    rules.schedule_rules(db, ops, "*", Decimal("1.00"), 30, NOW.date().replace(day=20), NOW.date())
    html = client.get("/admin/parameters/history").get_data(as_text=True)
    assert "20/03/2026" in text_by_testid(html, "effective-sla") and "→ 72" in text_by_testid(
        html, "effective-sla"
    )
    recon = text_by_testid(html, "effective-recon")
    assert "Todos os bancos" in recon and "R$ 0,05 → R$ 1,00" in recon and "agendado" in recon


def test_regulatory_parameter_page_refuses_a_start_in_the_past(client, db, login_as):
    from tests import factories

    login_as("admin")
    factories.regulatory_defaults(db)
    page = "/admin/parameters/new"
    past = form_post(
        client, page, {"name": "max_term_months", "value": "96", "valid_from": "2020-01-01"}, token_page=page
    )
    assert past.status_code == 422
    assert "o passado não é alterado" in visible_text(past.get_data(as_text=True))
