"""A reconciliation view saved as a recurring report runs as its owner when due and lands
on the owner's Relatórios page holding the very file the export button gives."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.core.audit import SYSTEM
from portal.core.db import unit_of_work
from portal.core.jobs import enqueue
from portal.extensions import db as app_db
from portal.insights import reports
from portal.insights.report_models import RecurringReport, ReportFile
from portal.web.finance import recon_views
from portal.web.reports.recurring_job import KIND as RECURRING_KIND
from tests.commissions.reconciliation.helpers import line, report
from tests.conftest import form_post

SP = ZoneInfo("America/Sao_Paulo")
FILTERS = "bank=facta&period=2026-03"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setattr(recon_views, "today", lambda: date(2026, 6, 15))


@pytest.fixture
def moment(monkeypatch):
    now = {"at": datetime(2026, 6, 15, 10, 0, tzinfo=SP)}
    monkeypatch.setattr(reports, "now", lambda: now["at"])
    return now


@pytest.fixture
def short(db, paid):
    imp = report(db)
    line(db, imp, "CT-EXEMPLO", "598.50", date(2026, 3, 28))
    line(db, imp, "FACTA-0077", "12.00", date(2026, 3, 28), component="bonus")


def test_saved_divergences_run_as_the_owner_and_match_the_export_button(
    app, client, db, short, finance_user, manual_runner, moment
):
    page = client.get(f"/finance/reconciliation/items?{FILTERS}").get_data(as_text=True)
    assert 'data-testid="save-recurring"' in page
    assert "list=finance.recon_items_export" in page and "bank%3Dfacta%26period%3D2026-03" in page
    saved = {
        "list_kind": "finance.recon_items_export",
        "query": FILTERS,
        "name": "Divergências Facta março",
        "frequency": "daily",
        "fmt": "csv",
    }
    assert form_post(client, "/reports/recurring", saved, token_page="/reports/").status_code == 302
    definition = db.scalar(select(RecurringReport))
    assert definition.owner_id == finance_user.id
    assert definition.next_run_at == datetime(2026, 6, 16, 6, 0, tzinfo=SP)

    moment["at"] = datetime(2026, 6, 16, 6, 0, tzinfo=SP)
    with app.app_context(), unit_of_work(app_db.new_session) as session:
        enqueue(session, RECURRING_KIND, SYSTEM)
    manual_runner.run_all()

    db.expire_all()
    [stored] = db.scalars(select(ReportFile)).all()
    assert (stored.owner_id, stored.definition_id) == (finance_user.id, definition.id)
    assert stored.filename.endswith(".csv")
    listing = client.get("/reports/").get_data(as_text=True)
    assert "Divergências Facta março" in listing and f"/reports/{stored.id}/download" in listing

    download = client.get(f"/reports/{stored.id}/download").data
    button = client.get(f"/finance/reconciliation/items/export.csv?{FILTERS}").data
    assert download == button
    body = button.decode("utf-8-sig").strip().splitlines()
    # The two divergences of March: CT-EXEMPLO paid R$ 1,50 short, FACTA-0077 unknown.
    assert len(body) == 1 + 2
    assert any("CT-EXEMPLO" in row for row in body[1:]) and any("FACTA-0077" in row for row in body[1:])
