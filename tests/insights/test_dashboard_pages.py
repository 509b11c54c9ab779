"""The dashboard page: hand-counted figures in pt-BR, scoped to the supervisor's team,
refused to agents, HTMX filters, exports of exactly the table shown, and links that
open the list the figure counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest

from portal.core.audit import Actor
from portal.proposals.services import change_status
from portal.web.dashboards import views
from tests import factories
from tests.conftest import sign_in
from tests.page_text import text_by_testid

OPS = Actor(id=None, label="operador@teste")
D = Decimal
NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def march(db, org, monkeypatch):
    """Three proposals of March 2026: two of team A (one paid), one of team B (cancelled)."""
    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    paid = factories.proposal(
        db, org.client, status="endorsed", gross_amount=D("1000.00"), net_amount=D("900.00"), submitted_at=at
    )
    change_status(db, OPS, paid, "paid")
    factories.proposal(
        db, org.client, bank_code="c6", gross_amount=D("500.00"), net_amount=D("450.00"), submitted_at=at
    )
    lost = factories.proposal(
        db, org.other_client, gross_amount=D("2000.00"), net_amount=D("1800.00"), submitted_at=at
    )
    change_status(db, OPS, lost, "cancelled", reason="Desistiu")
    # February: outside the period.
    factories.proposal(
        db, org.client, gross_amount=D("7.00"), submitted_at=datetime(2026, 2, 27, 15, 0, tzinfo=UTC)
    )
    db.flush()
    return org


def _row(page: str, testid: str) -> str:
    return text_by_testid(page, testid)


SECTION = re.compile(
    r'<section[^>]*hx-get="([^"]+)" hx-trigger="load" hx-swap="outerHTML">.*?</section>', re.S
)


def opened(client, url: str) -> str:
    """The page as the browser ends up showing it: each section it loads after itself
    (HTMX `load`, `outerHTML`) fetched and put in place of its placeholder."""
    page = client.get(url).get_data(as_text=True)

    def load(match: re.Match) -> str:
        response = client.get(unescape(match.group(1)), headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return SECTION.sub(load, page)


def test_manager_sees_the_company_in_pt_br(client, db, march):
    sign_in(client, db, march.manager_user)
    page = opened(client, "/dashboards/?de=2026-03&ate=2026-03")
    assert "Painel gerencial" in page
    assert _row(page, "resumo-0") == "Propostas digitadas 3"
    assert _row(page, "resumo-1") == "Valor bruto digitado R$ 3.500,00"
    assert _row(page, "resumo-2") == "Valor líquido digitado R$ 3.150,00"
    assert _row(page, "resumo-3") == "Propostas pagas 1"
    assert _row(page, "resumo-6") == "Conversão (digitadas → pagas) 33,33%"
    assert _row(page, "resumo-7") == "Taxa de cancelamento 33,33%"
    # Per bank, biggest gross first: Facta (1 000 + 2 000), then C6.
    assert _row(page, "producao-bank_code-0") == "Facta 2 R$ 3.000,00 R$ 2.700,00 1 R$ 1.000,00 50,00% 50,00%"
    assert _row(page, "producao-bank_code-1") == "C6 Consig 1 R$ 500,00 R$ 450,00 0 R$ 0,00 0,00% 0,00%"
    assert _row(page, "ranking-lojas-0").startswith("Loja Centro 1º 1 R$ 1.000,00")


def test_supervisor_sees_only_the_team(client, db, march):
    sign_in(client, db, march.supervisor_user)
    page = opened(client, "/dashboards/?de=2026-03&ate=2026-03")
    assert "Painel da equipe" in page
    assert _row(page, "resumo-0") == "Propostas digitadas 2"
    assert _row(page, "resumo-1") == "Valor bruto digitado R$ 1.500,00"
    assert _row(page, "resumo-7") == "Taxa de cancelamento 0,00%"
    stores = text_by_testid(page, "table-producao-store_id")
    assert "Loja Centro" in stores and "Loja Norte" not in stores
    assert "Equipe B" not in text_by_testid(page, "dashboard-filters")


def test_agents_have_no_dashboard(client, db, march):
    sign_in(client, db, march.agent_user)
    assert "Painéis" not in menu_html(client.get("/sales/").get_data(as_text=True))
    assert client.get("/dashboards/").status_code == 403
    assert client.get("/dashboards/export/resumo.csv").status_code == 403


def test_filter_by_htmx_returns_the_figures_block(client, db, march):
    sign_in(client, db, march.manager_user)
    response = client.get("/dashboards/?de=2026-03&ate=2026-03&bank=c6", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert _row(body, "resumo-0") == "Propostas digitadas 1"
    assert 'data-bank="c6"' in body


def test_export_is_exactly_the_table_shown(client, db, march):
    sign_in(client, db, march.manager_user)
    response = client.get("/dashboards/export/producao-bank_code.csv?de=2026-03&ate=2026-03")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Banco", "Propostas", "Valor bruto", "Valor líquido", "Pagas", "Bruto pago",
                       "Conversão (pagas/digitadas)", "Cancelamento"]  # fmt: skip
    assert rows[1][:6] == ["Facta", "2", "3000,00", "2700,00", "1", "1000,00"]
    assert rows[2][:2] == ["C6 Consig", "1"] and len(rows) == 3
    xlsx = client.get("/dashboards/export/producao-bank_code.xlsx?de=2026-03&ate=2026-03")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/dashboards/export/nada.csv").status_code == 404


def test_a_figure_links_to_the_list_of_what_it_counts(client, db, march):
    sign_in(client, db, march.manager_user)
    page = opened(client, "/dashboards/?de=2026-03&ate=2026-03")
    row = re.search(r'data-testid="producao-bank_code-0">(.*?)</tr>', page, re.S).group(1)
    paid_link = unescape(re.findall(r'href="([^"]+)"', row)[3])  # the "Pagas" cell
    assert paid_link.startswith("/operations/proposals?")
    listed = client.get(paid_link).get_data(as_text=True)
    ids = set(re.findall(r'href="/operations/proposals/(\d+)"', listed))
    assert len(ids) == 1


def test_the_menu_offers_the_dashboard_to_managers_and_supervisors_only(client, db, march):
    sign_in(client, db, march.manager_user)
    home = client.get("/dashboards/gestao")
    assert home.status_code == 200
    assert 'href="/dashboards/">Painéis</a>' in menu_html(home.get_data(as_text=True))


def menu_html(page: str) -> str:
    """The main menu's markup (links and labels)."""
    start = page.index('data-testid="main-menu"')
    return page[start : page.index("</ul>", start)]


def test_the_sla_panel_loads_after_the_page_with_the_stuck_proposals(client, db, march):
    from sqlalchemy import select

    from portal.proposals.models import Proposal
    from portal.proposals.pipeline_models import SlaLimit

    limit = db.get(SlaLimit, "submitted") or SlaLimit(status="submitted")
    limit.hours = 24
    db.add(limit)
    stuck = db.scalar(select(Proposal).where(Proposal.bank_code == "c6"))
    stuck.status_changed_at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10 days before NOW
    db.flush()
    sign_in(client, db, march.manager_user)
    page = client.get("/dashboards/").get_data(as_text=True)
    assert 'hx-get="/dashboards/sla' in page and 'data-testid="table-sla"' not in page
    panel = client.get("/dashboards/sla", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert text_by_testid(panel, "sla-0") == "Digitada 1 24"
    assert 'href="/operations/proposals?sla=1&amp;status=submitted"' in panel


def test_the_page_shows_the_summary_and_loads_each_other_table_after_itself(client, db, march):
    sign_in(client, db, march.manager_user)
    page = client.get("/dashboards/?de=2026-03&ate=2026-03&bank=facta").get_data(as_text=True)
    assert _row(page, "resumo-0") == "Propostas digitadas 2"
    assert 'data-testid="producao-bank_code-0"' not in page
    placeholders = re.findall(r'data-testid="table-([\w-]+)-loading" hx-get="([^"]+)"', page)
    assert len(placeholders) == 16  # every table but the summary, the SLA one included
    slugs = [slug for slug, _url in placeholders]
    assert "producao-day" in slugs and "metas" in slugs and "sla" in slugs
    for slug, url in placeholders:
        assert unescape(url) == f"/dashboards/{slug}?de=2026-03&ate=2026-03&bank=facta"
    # A section is the table with its figures (the page's filters apply) and its exports.
    section = client.get("/dashboards/producao-product?de=2026-03&ate=2026-03&bank=facta")
    body = section.get_data(as_text=True)
    assert section.status_code == 200 and "<html" not in body
    # Facta only: 1 000 (paid) + 2 000 (cancelled) gross, 900 + 1 800 net.
    assert _row(body, "producao-product-0") == (
        "Empréstimo novo 2 R$ 3.000,00 R$ 2.700,00 1 R$ 1.000,00 50,00% 50,00%"
    )
    assert 'data-testid="export-producao-product-csv"' in body
    # Company-wide with only a bank filter, the day and month tables (and the summary) read
    # the bank-grain rollups: the same hand-counted figures.
    day = client.get("/dashboards/producao-day?de=2026-03&ate=2026-03&bank=facta").get_data(as_text=True)
    assert _row(day, "producao-day-0") == "10/03/2026 2 R$ 3.000,00 R$ 2.700,00 1 R$ 1.000,00 50,00% 50,00%"
    month = client.get("/dashboards/producao-month?de=2026-02&ate=2026-03").get_data(as_text=True)
    # February: the one proposal of 7,00 gross keeps the factory's 9 500,00 net.
    assert _row(month, "producao-month-0") == "02/2026 1 R$ 7,00 R$ 9.500,00 0 R$ 0,00 0,00% 0,00%"
    assert _row(month, "producao-month-1") == "03/2026 3 R$ 3.500,00 R$ 3.150,00 1 R$ 1.000,00 33,33% 33,33%"
    assert client.get("/dashboards/resumo").status_code == 404  # the summary is the page
    assert client.get("/dashboards/nada").status_code == 404
