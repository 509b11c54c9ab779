"""Vendas · /sales/commissions: agent → own lines, supervisor → team, another team's lines
and the company's never shown; totals per period with the running total; the export
holds exactly what is filtered."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.commissions import plans
from portal.commissions.types import PlanBasis
from tests import factories
from tests.commissions.helpers import FINANCE, D, World, paid_proposal, world
from tests.conftest import form_post
from tests.page_text import visible_text

URL = "/sales/commissions"


@pytest.fixture
def scene(db, monkeypatch):
    """Ana (40 % plan, team of the supervisor) paid 10.000,00 on 05/03/2026; Bruno, in
    another company unit's team with his own 40 % plan, paid 5.000,00 on 10/03/2026."""
    w = world(db)
    supervisor_user = factories.user(db, role="supervisor")
    w.supervisor.user_id = supervisor_user.id
    other_unit = factories.org_unit(db, "company", "Outra empresa")
    other_team = factories.org_unit(db, "team", "Equipe B", other_unit)
    bruno_user = factories.user(db, role="agent")
    bruno = factories.collaborator(db, bruno_user, other_team, email="bruno@teste.athenas", name="Bruno")
    plans.set_plan(db, FINANCE, collaborator_id=bruno.id, valid_from=date(2025, 1, 1), basis=PlanBasis.COMMISSION, percent=D("40"))  # noqa: E501
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    bruno_world = World(bruno, w.supervisor, factories.client(db, bruno), w.version, "bruno@teste.athenas", "")  # noqa: E501
    paid_proposal(db, monkeypatch, bruno_world, date(2026, 3, 10), gross="5000.00")
    db.flush()
    return w, supervisor_user, bruno_user


def sign_in(client, user) -> None:
    response = form_post(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def payees(html: str) -> set[str]:
    table = html[html.index('data-testid="commission-lines"') :]
    return {chunk.split('"')[0] for chunk in table.split('data-payee="')[1:]}


def period_row(html: str, period: str) -> list[str]:
    start = html.index(f'data-period="{period}"')
    text = html[start : html.index("</tr>", start)]
    return [visible_text(c.split("</td>")[0]) for c in text.split('<td class="text-end">')[1:]]


def test_agent_sees_only_own_lines_with_totals_per_period(client, scene):
    w, _, _ = scene
    sign_in(client, w.agent.user)
    html = client.get(URL).get_data(as_text=True)
    assert payees(html) == {"ana@teste.athenas"}
    assert "bruno@teste.athenas" not in html and 'data-payee="empresa"' not in html
    # Ana: 40 % of flat 600,00 = 240,00 in March; 40 % of each 50,00 deferral = 20,00 a month.
    # Columns: lines, credits, clawbacks, total, running total.
    assert period_row(html, "2026-03") == ["1", "R$ 240,00", "R$ 0,00", "R$ 240,00", "R$ 240,00"]
    assert period_row(html, "2026-04") == ["1", "R$ 20,00", "R$ 0,00", "R$ 20,00", "R$ 260,00"]
    assert period_row(html, "2027-03") == ["1", "R$ 20,00", "R$ 0,00", "R$ 20,00", "R$ 480,00"]


def test_supervisor_sees_the_team_and_own_override_not_another_team(client, scene):
    w, supervisor_user, _ = scene
    sign_in(client, supervisor_user)
    html = client.get(URL, query_string={"period": "2026-03"}).get_data(as_text=True)
    # Ana's 240,00 repasse and the supervisor's override 0,30 % of 10.000,00 = 30,00.
    assert payees(html) == {"ana@teste.athenas", "sup@teste.athenas"}
    assert "bruno@teste.athenas" not in html
    assert period_row(html, "2026-03") == ["2", "R$ 270,00", "R$ 0,00", "R$ 270,00", "R$ 270,00"]


def test_other_agent_sees_only_his_lines(client, scene):
    _, _, bruno_user = scene
    sign_in(client, bruno_user)
    html = client.get(URL, query_string={"period": "2026-03"}).get_data(as_text=True)
    assert payees(html) == {"bruno@teste.athenas"}
    assert "ana@teste.athenas" not in html
    assert period_row(html, "2026-03")[3] == "R$ 120,00"  # 40 % of 6 % of 5.000,00


def test_period_filter_and_csv_export_hold_exactly_the_filtered_lines(client, scene):
    w, _, _ = scene
    sign_in(client, w.agent.user)
    html = client.get(URL, query_string={"period": "2026-04"}).get_data(as_text=True)
    assert html.count("data-entry=") == 1
    response = client.get(f"{URL}/export.csv", query_string={"period": "2026-03"})
    assert response.status_code == 200
    rows = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].startswith("Competência;Período;Contrato;Beneficiário;Tipo;Base;Percentual;Valor")
    assert len(rows) == 2
    assert ";2026-03;" in rows[1] and "ana@teste.athenas" in rows[1] and ";Repasse;600,00;40,00%;240,00;" in rows[1]  # noqa: E501


def test_xlsx_export_without_filter_has_every_own_line_and_no_one_else(client, scene):
    w, _, _ = scene
    sign_in(client, w.agent.user)
    response = client.get(f"{URL}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 13  # the flat mirror and twelve deferral mirrors
    assert all("ana@teste.athenas" in row[3] for row in values)
    assert sum(D(str(row[7])) for row in values) == D("480.00")


def test_commissions_link_in_the_sales_navigation(client, scene):
    w, _, _ = scene
    sign_in(client, w.agent.user)
    html = client.get("/sales/").get_data(as_text=True)
    assert f'href="{URL}"' in html
