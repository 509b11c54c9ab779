"""A contract's commission view (every line explained, amounts by hand), the "sem tabela"
list, period close (checklist, the second closer told) and the recalculation button."""

from __future__ import annotations

import html as html_lib
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from portal.commissions.models import CommissionPeriod, LedgerEntry
from portal.core.jobs.models import Job
from tests import factories
from tests.commissions.helpers import paid_proposal
from tests.conftest import csrf_token_from
from tests.page_text import visible_text


def test_contract_view_explains_every_line_with_hand_computed_amounts(client, db, fin, paid, finance_user):
    html = client.get(f"/finance/contracts/{paid.id}").get_data(as_text=True)
    resolution = html.split('data-testid="resolution"')[1].split("</div>")[0]
    assert "Facta v1</a>, linha 1" in resolution and "flat 6,00%" in resolution
    lines = html.split('data-testid="contract-lines"')[1].split("</table>")[0]
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.proposal_id == paid.id)).all()
    assert len(entries) == 27 and lines.count('data-testid="line-') == 27  # 1 + 12 + 13 + 1
    for entry in entries:
        row = lines.split(f'data-testid="line-{entry.id}"')[1].split("</tr>")[0]
        assert html_lib.escape(entry.explanation) in row
    # Amounts by hand: 6 % of R$ 10.000,00; 0,5 % of it per month; 40 % of each; 0,30 %.
    flat = next(e for e in entries if e.kind == "flat")
    assert "R$ 600,00" in lines.split(f'data-testid="line-{flat.id}"')[1].split("</tr>")[0]
    amounts = [visible_text(cell.split("</td>")[0]) for cell in lines.split('data-testid="amount">')[1:]]
    assert sorted(amounts) == sorted(["R$ 600,00", "R$ 240,00", "R$ 30,00"] + ["R$ 50,00", "R$ 20,00"] * 12)
    totals = html.split('data-testid="contract-totals"')[1].split("</table>")[0]
    assert "R$ 1.200,00" in totals.split('data-testid="total-empresa"')[1].split("</tr>")[0]
    assert "R$ 480,00" in totals.split('data-testid="total-ana@teste.athenas"')[1].split("</tr>")[0]
    assert "R$ 30,00" in totals.split('data-testid="total-sup@teste.athenas"')[1].split("</tr>")[0]


def test_contract_without_a_table_is_listed_with_its_reason(client, db, monkeypatch, fin, finance_user):
    lost = paid_proposal(db, monkeypatch, fin, date(2026, 3, 9), contract="CT-SEM", agreement="SIAPE")
    view = client.get(f"/finance/contracts/{lost.id}").get_data(as_text=True)
    resolution = view.split('data-testid="resolution"')[1].split("</div>")[0]
    assert "Sem tabela</strong>" in resolution and "SIAPE" in resolution
    listing = client.get("/finance/no-table").get_data(as_text=True)
    assert f'data-testid="no-table-{lost.id}"' in listing and "CT-SEM" in listing
    sheet = load_workbook(io.BytesIO(client.get("/finance/no-table/export.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["CT-SEM"] and rows[1][6] == "Sem tabela" and "SIAPE" in rows[1][7]
    checklist = client.get("/finance/periods/2026-03/close").get_data(as_text=True)
    items = checklist.split('data-testid="close-checklist"')[1].split("</ul>")[0]
    assert items.split("sem tabela</span>")[1].split("</a>")[0].endswith(">1")


def test_closing_twice_tells_the_second_closer(client, db, fin, paid, finance_user):
    page = "/finance/periods/2026-03/close"
    token = csrf_token_from(client, page)  # both finance users opened the page before either closed
    first = client.post(page, data={"csrf_token": token})
    assert first.status_code == 303
    second = client.post(page, data={"csrf_token": token})
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "O período 2026-03 já foi fechado por fin@teste.athenas" in text
    assert 'data-testid="close-checklist"' in text  # told in place, on the close page
    record = db.scalar(select(CommissionPeriod).where(CommissionPeriod.period == "2026-03"))
    assert record.state == "closed" and record.version == 2  # closed once
    periods = client.get("/finance/periods").get_data(as_text=True)
    snapshot = periods.split('data-testid="snapshot-2026-03"')[1].split("</table>")[0]
    # March posts: flat 600 (company), repasse 240 (Ana), override 30 (supervisor).
    assert "R$ 600,00" in snapshot and "R$ 240,00" in snapshot and "R$ 30,00" in snapshot


def test_second_finance_user_is_told_who_closed(client, db, fin, paid, finance_user, sign_in):
    page = "/finance/periods/2026-03/close"
    assert client.post(page, data={"csrf_token": csrf_token_from(client, page)}).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/finance/")})
    sign_in(factories.user(db, role="finance", email="outra@teste.athenas"))
    response = client.post(page, data={"csrf_token": csrf_token_from(client, page)})
    assert response.status_code == 409
    assert "já foi fechado por fin@teste.athenas" in response.get_data(as_text=True)


def test_recalculate_button_starts_the_job_with_a_progress_page(
    client, db, fin, paid, finance_user, manual_runner
):
    page = "/finance/periods"
    response = client.post(
        "/finance/periods/2026-03/recalc",
        data={"csrf_token": csrf_token_from(client, page), "reason": "Correção da tabela"},
    )
    assert response.status_code == 303
    job = db.scalar(select(Job).where(Job.kind == "commissions.recalc"))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.params["period"] == "2026-03" and job.params["reason"] == "Correção da tabela"
    manual_runner.run_all()
    detail = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="job-progress"' in detail and "nenhuma diferença" in detail
