"""The ledger page: filters, export of exactly the filtered rows, totals, the manual entry
(reason required, confirmed, audited) and a statement count that does not grow."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.commissions.models import LedgerEntry
from portal.core.audit import AuditEntry
from tests.commissions.helpers import paid_proposal
from tests.page_text import text_by_testid
from tests.pipeline_helpers import count_queries

D = Decimal


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_filters_and_export_contain_exactly_the_filtered_rows(
    client, db, monkeypatch, fin, paid, finance_user
):
    other = paid_proposal(db, monkeypatch, fin, date(2026, 3, 10), gross="5000.00", contract="CT-OUTRO")
    # The agent's deferred repasse of the first contract: 40 % of R$ 50,00, April 2026 on.
    query = "contract=CT-EXEMPLO&kind=repasse&period=2026-04"
    html = client.get(f"/finance/ledger?{query}").get_data(as_text=True)
    wanted = db.scalars(
        select(LedgerEntry.id).where(
            LedgerEntry.contract == "CT-EXEMPLO",
            LedgerEntry.kind == "repasse",
            LedgerEntry.posting_period == "2026-04",
        )
    ).all()
    assert len(wanted) == 1
    assert f'data-testid="entry-{wanted[0]}"' in html and html.count('data-testid="entry-') == 1
    assert text_by_testid(html, "grand-total") == "R$ 20,00"
    sheet = load_workbook(io.BytesIO(client.get(f"/finance/ledger/export.xlsx?{query}").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Lançamento" and [r[0] for r in rows[1:]] == wanted
    assert rows[1][3] == "CT-EXEMPLO" and rows[1][11] == 20  # the amount, a number in the sheet

    # The company's flat lines of March: one per contract, 6 % of each gross.
    query = "kind=flat&payee=empresa&period=2026-03"
    sheet = load_workbook(io.BytesIO(client.get(f"/finance/ledger/export.xlsx?{query}").data)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert sorted((r[3], r[11]) for r in rows) == [("CT-EXEMPLO", 600), ("CT-OUTRO", 300)]
    html = client.get(f"/finance/ledger?{query}").get_data(as_text=True)
    assert text_by_testid(html, "grand-total") == "R$ 900,00"
    csv_text = client.get(f"/finance/ledger/export.csv?{query}").get_data().decode("utf-8-sig")
    assert (
        len(csv_text.strip().splitlines()) == 3
        and "CT-OUTRO" in csv_text
        and other.contract_number == "CT-OUTRO"
    )


def test_filter_by_collaborator_shows_only_their_lines_and_total(client, db, fin, paid, finance_user):
    html = client.get(f"/finance/ledger?payee={fin.agent.id}").get_data(as_text=True)
    totals = html.split('data-testid="ledger-totals"')[1].split("</table>")[0]
    # 40 % of R$ 600,00 flat + 12 × 40 % of R$ 50,00 deferred = 240 + 240.
    assert 'data-testid="total-ana@teste.athenas"' in totals and "R$ 480,00" in totals
    assert "empresa" not in totals and html.count('data-testid="entry-') == 13


def test_manual_entry_without_reason_is_refused_and_writes_nothing(client, db, fin, paid, finance_user, post):
    before = (_count(db, LedgerEntry), _count(db, AuditEntry))
    data = {
        "payee": str(fin.agent.id),
        "competence": "2026-03",
        "amount": "150,00",
        "reason": "",
        "confirmed": "1",
    }
    response = post("/finance/ledger/manual", data, page="/finance/ledger/manual")
    assert response.status_code == 422
    assert "Informe o motivo do lançamento manual." in response.get_data(as_text=True)
    response = post("/finance/ledger/manual", {**data, "reason": "   ab  "}, page="/finance/ledger/manual")
    assert response.status_code == 422
    assert (_count(db, LedgerEntry), _count(db, AuditEntry)) == before


def test_manual_entry_is_confirmed_then_written_and_audited(client, db, fin, paid, finance_user, post):
    before = _count(db, LedgerEntry)
    data = {
        "payee": str(fin.agent.id),
        "competence": "2026-03",
        "amount": "-150,00",
        "reason": "Desconto de adiantamento",
    }
    response = post("/finance/ledger/manual", data, page="/finance/ledger/manual")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="manual-confirm"' in html and "-R$ 150,00" in html
    assert _count(db, LedgerEntry) == before  # nothing until confirmed
    response = post("/finance/ledger/manual", {**data, "confirmed": "1"}, page="/finance/ledger/manual")
    assert response.status_code == 303
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.source == "manual"))
    assert entry.amount == D("-150.00") and entry.reason == "Desconto de adiantamento"
    assert entry.payee == "ana@teste.athenas" and entry.author_label == "fin@teste.athenas"
    log = db.scalar(select(AuditEntry).where(AuditEntry.action == "commission_ledger.manual_entry"))
    assert log is not None and log.target == f"commission_entry:{entry.id}"


def test_ledger_page_statement_count_does_not_grow(client, db, monkeypatch, app, fin, paid, finance_user):
    engine = app.extensions["athenas.db"]["engine"]
    client.get("/finance/ledger")
    with count_queries(engine) as few:
        assert client.get("/finance/ledger").status_code == 200
    for day in range(10, 16):
        paid_proposal(db, monkeypatch, fin, date(2026, 3, day), contract=f"CT-{day}")
    with count_queries(engine) as many:
        html = client.get("/finance/ledger").get_data(as_text=True)
    assert html.count('data-testid="entry-') == 50  # a full page
    assert len(many) == len(few), (len(few), len(many))


def test_ledger_pages_by_keyset_and_htmx_gets_the_results_block(
    client, db, monkeypatch, fin, paid, finance_user
):
    for day in range(10, 13):
        paid_proposal(db, monkeypatch, fin, date(2026, 3, day), contract=f"CT-{day}")
    total = _count(db, LedgerEntry)  # 4 contracts × 27 lines
    assert total == 108
    first = client.get("/finance/ledger").get_data(as_text=True)
    cursor = first.split("after=")[1].split('"')[0].split("&")[0]
    second = client.get(f"/finance/ledger?after={cursor}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in second and 'data-testid="ledger-table"' in second
    seen = {
        chunk.split('"')[0] for html in (first, second) for chunk in html.split('data-testid="entry-')[1:]
    }
    assert len(seen) == 100  # two full pages, no repeats
