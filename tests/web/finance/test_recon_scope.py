"""The reconciliation pages open on one period (finance's open period, else this month), the
period shown in the filter; "todos" still lists every period; a searched contract spans its
periods; the page's statements do not grow with the ledger's other periods."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from portal.commissions.models import CommissionPeriod
from portal.commissions.reconciliation import actions
from portal.commissions.reconciliation.matching import ItemKey
from portal.web.finance import recon_views
from tests.commissions.reconciliation.helpers import line, report
from tests.pipeline_helpers import count_queries


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setattr(recon_views, "today", lambda: date(2026, 6, 15))


@pytest.fixture
def short(db, paid):
    line(db, report(db), "CT-EXEMPLO", "598.50", date(2026, 3, 28))


def _periods(html: str) -> list[str]:
    rows = html.split('data-testid="recon-rollup-row"')[1:]
    return [row.split("<td")[2].split(">")[1].split("<")[0] for row in rows]


def test_overview_opens_on_the_open_period_and_todos_lists_every_period(client, db, short, finance_user):
    html = client.get("/finance/reconciliation").get_data(as_text=True)
    assert _periods(html) == ["2026-03"]  # the payment's period, still open
    assert 'value="2026-03"' in html
    html = client.get("/finance/reconciliation?period=todos").get_data(as_text=True)
    assert _periods(html) == ["2026-06", "2026-05", "2026-04", "2026-03"]
    assert 'value="todos"' in html


def test_without_an_open_period_this_month_and_the_export_follows_the_page(client, db, short, finance_user):
    db.execute(update(CommissionPeriod).values(state="closed"))
    db.flush()
    html = client.get("/finance/reconciliation").get_data(as_text=True)
    assert _periods(html) == ["2026-06"]  # the deferred R$ 50,00 of June
    sheet = load_workbook(io.BytesIO(client.get("/finance/reconciliation/rollup/export.xlsx").data)).active
    assert [r[1] for r in list(sheet.iter_rows(values_only=True))[1:]] == ["2026-06"]


def test_divergences_open_on_the_default_period_unless_a_contract_is_searched(
    client, db, short, finance_user
):
    html = client.get("/finance/reconciliation/items").get_data(as_text=True)
    assert html.count('data-testid="recon-items-row"') == 1 and "Pago a menor" in html
    html = client.get("/finance/reconciliation/items?contract=CT-EXEMPLO").get_data(as_text=True)
    # March short and April not reported (May is still within the bank's days to report).
    assert html.count('data-testid="recon-items-row"') == 2 and "Não reportado" in html
    html = client.get("/finance/reconciliation/items?period=todos").get_data(as_text=True)
    assert html.count('data-testid="recon-items-row"') == 2


def test_the_page_statements_do_not_grow_with_other_periods(
    client, db, monkeypatch, fin, short, finance_user
):
    from tests.commissions.helpers import paid_proposal

    def run() -> int:
        with count_queries(db.get_bind()) as statements:
            assert client.get("/finance/reconciliation").status_code == 200
        return len(statements)

    client.get("/finance/reconciliation")
    small = run()
    imp = report(db)
    for month in (1, 2, 3, 4):
        for n in range(3):
            paid_proposal(db, monkeypatch, fin, date(2025, month, 5 + n), contract=f"CT-{month}-{n}")
            line(db, imp, f"CT-{month}-{n}", "600.00", date(2025, month, 20))
    assert run() == small


def _cells(html: str, testid: str) -> list[list[str]]:
    rows = html.split(f'data-testid="{testid}-row"')[1:]
    return [
        [re.sub("<[^>]+>", "", cell.split(">", 1)[1].split("</td")[0]) for cell in row.split("<td")[1:]]
        for row in rows
    ]


def test_the_next_view_shows_new_lines_entries_and_decisions(
    client, db, monkeypatch, fin, short, finance_user
):
    from tests.commissions.helpers import FINANCE, paid_proposal

    def march() -> list[str]:
        (row,) = _cells(client.get("/finance/reconciliation").get_data(as_text=True), "recon-rollup")
        return row[2:10]  # expected, reported, received, differences, adjustments, open items, open

    assert march() == [
        "R$ 600,00",
        "R$ 598,50",
        "R$ 0,00",
        "-R$ 1,50",
        "-R$ 598,50",
        "R$ 0,00",
        "1",
        "-R$ 1,50",
    ]
    paid_proposal(db, monkeypatch, fin, date(2026, 3, 9), contract="CT-NOVO")  # a new ledger entry
    assert march()[0] == "R$ 1.200,00" and march()[6:] == ["2", "-R$ 601,50"]
    line(db, report(db), "CT-NOVO", "600.00", date(2026, 3, 30))  # a new bank line
    assert march()[1] == "R$ 1.198,50" and march()[6:] == ["1", "-R$ 1,50"]
    actions.accept(
        db, FINANCE, ItemKey("facta", "2026-03", "CT-EXEMPLO", "flat"), "Arredondou", date(2026, 6, 15)
    )
    assert march()[5:] == ["-R$ 1,50", "0", "R$ 0,00"]  # an acceptance
    line(db, report(db), "CT-OUTRO", "9.00", date(2026, 3, 30))
    actions.open_dispute(
        db, FINANCE, ItemKey("facta", "2026-03", "CT-OUTRO", "flat"), "Não é nosso", "P-9", date(2026, 6, 15)
    )
    assert march()[6:] == ["1", "R$ 9,00"]  # disputed: still open
    items = _cells(client.get("/finance/reconciliation/items").get_data(as_text=True), "recon-items")
    assert [(r[2], r[11]) for r in items] == [("CT-OUTRO", "Em disputa")]
