"""Reconciliation pages: what finance sees, accepting in two steps (422 in place on a bad
reason), disputes, links, received money, exports holding exactly the rows shown, access."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.commissions.models import LedgerEntry
from portal.commissions.reconciliation.models import Dispute, ReceivedPayment
from portal.web.finance import recon_views
from tests import factories
from tests.commissions.reconciliation.helpers import line, report

D = Decimal
ITEM = "bank=facta&period=2026-03&contract=CT-EXEMPLO&component=flat&dup="
KEY = {"bank": "facta", "period": "2026-03", "contract": "CT-EXEMPLO", "component": "flat", "dup": ""}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setattr(recon_views, "today", lambda: date(2026, 6, 15))


@pytest.fixture
def short(db, paid):
    imp = report(db)
    line(db, imp, "CT-EXEMPLO", "598.50", date(2026, 3, 28))
    line(db, imp, "FACTA-0077", "12.00", date(2026, 3, 28), component="bonus")


def test_overview_and_its_export_show_the_same_numbers(client, db, short, finance_user):
    html = client.get("/finance/reconciliation?bank=facta&period=2026-03").get_data(as_text=True)
    assert html.count('data-testid="recon-rollup-row"') == 1
    # Expected R$ 600,00; reported R$ 598,50 + R$ 12,00 of an unknown contract.
    for text in ("R$ 600,00", "R$ 610,50", "R$ 10,50"):
        assert text in html
    sheet = load_workbook(
        io.BytesIO(client.get("/finance/reconciliation/rollup/export.xlsx?bank=facta&period=2026-03").data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Banco", "Período", "Esperado", "Reportado")
    assert [r[1:4] for r in rows[1:]] == [("2026-03", 600, 610.5)]


def test_divergence_list_and_export_match_and_filter(client, db, short, finance_user):
    html = client.get("/finance/reconciliation/items?bank=facta&period=2026-03").get_data(as_text=True)
    assert html.count('data-testid="recon-items-row"') == 2
    assert "Pago a menor" in html and "Contrato desconhecido" in html
    csv_text = (
        client.get("/finance/reconciliation/items/export.csv?bank=facta&period=2026-03&outcome=short")
        .get_data()
        .decode("utf-8-sig")
    )
    body = csv_text.strip().splitlines()[1:]
    assert len(body) == 1 and "CT-EXEMPLO" in body[0] and "FACTA-0077" not in csv_text
    html = client.get("/finance/reconciliation/items?bank=facta&period=2026-03&outcome=short").get_data(
        as_text=True
    )
    assert html.count('data-testid="recon-items-row"') == 1


def test_accept_in_two_steps_posts_the_adjustment(client, db, short, finance_user, post):
    page = f"/finance/reconciliation/item?{ITEM}"
    assert 'data-testid="item-status">Em aberto<' in client.get(page).get_data(as_text=True)
    bad = post("/finance/reconciliation/item/accept", {**KEY, "reason": "x"}, page=page)
    assert bad.status_code == 422 and "Informe o motivo" in bad.get_data(as_text=True)
    count = db.scalar(select(func.count()).select_from(LedgerEntry))
    review = post("/finance/reconciliation/item/accept", {**KEY, "reason": "Banco arredondou"}, page=page)
    assert review.status_code == 200 and 'data-testid="accept-confirm"' in review.get_data(as_text=True)
    assert "R$ -1,50" in review.get_data(as_text=True) or "-R$ 1,50" in review.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == count  # nothing written yet
    done = post(
        "/finance/reconciliation/item/accept",
        {**KEY, "reason": "Banco arredondou", "confirmed": "1"},
        page=page,
    )
    assert done.status_code == 303
    entry = db.scalar(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))
    assert (entry.amount, entry.source, entry.reason) == (D("-1.50"), "reconciliation", "Banco arredondou")
    assert 'data-testid="item-status">Aceito<' in client.get(page).get_data(as_text=True)


def test_dispute_opened_and_closed_from_the_page(client, db, short, finance_user, post):
    page = f"/finance/reconciliation/item?{ITEM}"
    assert (
        post(
            "/finance/reconciliation/item/dispute",
            {**KEY, "reason": "Cobrar do banco", "protocol": "P-9"},
            page=page,
        ).status_code
        == 303
    )
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="item-status">Em disputa<' in html and "protocolo P-9" in html
    dispute_id = db.scalar(select(func.max(Dispute.id)))
    assert (
        post(
            f"/finance/reconciliation/disputes/{dispute_id}/close",
            {"outcome": "banco_pagou", "note": "Pago no mês seguinte"},
            page=page,
        ).status_code
        == 303
    )
    html = client.get(page).get_data(as_text=True)
    assert "Banco pagou a diferença" in html and 'data-testid="item-status">Em aberto<' in html


def test_unknown_contract_linked_from_the_page(client, db, short, finance_user, post):
    page = "/finance/reconciliation/item?bank=facta&period=2026-03&contract=FACTA-0077&component=bonus&dup="
    assert 'data-testid="link-form"' in client.get(page).get_data(as_text=True)
    data = {"bank": "facta", "reported_contract": "FACTA-0077", "period": "2026-03", "component": "bonus"}
    bad = post(
        "/finance/reconciliation/link",
        {**data, "contract": "CT-NADA", "reason": "Número do banco"},
        page=page,
    )
    assert bad.status_code == 422 and "Contrato não encontrado" in bad.get_data(as_text=True)
    ok = post(
        "/finance/reconciliation/link",
        {**data, "contract": "CT-EXEMPLO", "reason": "Número do banco"},
        page=page,
    )
    assert ok.status_code == 303
    detail = client.get("/finance/reconciliation/contract/facta/CT-EXEMPLO").get_data(as_text=True)
    assert "FACTA-0077" in detail and detail.count('data-testid="recon-contract-row"') >= 3


def test_received_typed_and_imported(client, db, paid, finance_user, post):
    page = "/finance/reconciliation/received"
    bad = post(page, {"bank_code": "facta", "received_on": "2026-04-02", "amount": "muito"}, page=page)
    assert bad.status_code == 422
    ok = post(
        page,
        {"bank_code": "facta", "received_on": "2026-04-02", "amount": "598,00", "period": "2026-03"},
        page=page,
    )
    assert ok.status_code == 303
    csv = "Data;Descrição;Valor\n05/04/2026;TED FACTA comissão;10,00\n".encode()
    res = post(
        f"{page}/import",
        {"file": (io.BytesIO(csv), "extrato.csv"), "bank_code": ""},
        page=page,
        content_type="multipart/form-data",
    )
    assert res.status_code == 303
    assert sorted(db.scalars(select(ReceivedPayment.amount))) == [D("10.00"), D("598.00")]
    html = client.get(page).get_data(as_text=True)
    assert html.count('data-testid="recon-received-row"') == 2
    export = client.get("/finance/reconciliation/received/export.csv").get_data().decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 3


def test_rules_edit_changes_the_tolerance(client, db, short, finance_user, post):
    page = "/finance/reconciliation/received"
    assert (
        post(
            "/finance/reconciliation/rules",
            {"bank_code": "facta", "tolerance": "2,00", "missing_after_days": "10"},
            page=page,
        ).status_code
        == 303
    )
    html = client.get(f"/finance/reconciliation/item?{ITEM}").get_data(as_text=True)
    assert "Conferido" in html  # R$ 1,50 short is within R$ 2,00


def test_exposure_flags_a_bank_under_liquidation(client, db, paid, finance_user):
    factories.bank(db, "master", name="Banco Master", under_liquidation=True)
    html = client.get("/finance/reconciliation/exposure").get_data(as_text=True)
    assert "Em liquidação extrajudicial" in html and "Banco Master" in html
    # Facta: deferred R$ 50,00 a month from June 2026 to March 2027 = 10 × R$ 50,00.
    assert "R$ 500,00" in html
    rows = list(
        load_workbook(
            io.BytesIO(client.get("/finance/reconciliation/exposure/export.xlsx").data)
        ).active.iter_rows(values_only=True)
    )
    assert len(rows) - 1 == html.count('data-testid="recon-exposure-row"') == 2


@pytest.mark.parametrize(
    "path",
    [
        "/finance/reconciliation",
        "/finance/reconciliation/items",
        "/finance/reconciliation/aging",
        "/finance/reconciliation/exposure",
        "/finance/reconciliation/received",
        "/finance/reconciliation/rollup/export.csv",
    ],
)
def test_agent_is_refused(client, db, sign_in, path):
    sign_in(factories.user(db, role="agent", email="agente@teste.athenas"))
    assert client.get(path).status_code in (403, 404)


def test_agent_cannot_accept(client, db, short, sign_in, post):
    sign_in(factories.user(db, role="agent", email="agente@teste.athenas"))
    response = post(
        "/finance/reconciliation/item/accept",
        {**KEY, "reason": "Tentativa", "confirmed": "1"},
        page="/sales/",
    )
    assert response.status_code in (400, 403, 404)
    assert (
        db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.source == "reconciliation"))
        == 0
    )
