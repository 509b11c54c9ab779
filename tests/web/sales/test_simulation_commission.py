"""The simulation page shows, per offer, the company's expected commission and the agent's
share from the approved tables and the agent's plan; an offer with no table says so."""

from __future__ import annotations

import secrets

from portal.banks.models import BankSimulation
from portal.commissions.models import CommissionPlan
from tests import factories
from tests.commissions.helpers import world
from tests.conftest import form_post
from tests.page_text import text_by_testid, visible_text


def option(bank: str, gross: str, net: str) -> dict[str, object]:
    return {
        "bank": bank, "product": "new", "term_months": 84, "installment": "245.10", "monthly_rate": "1.79",
        "cet_annual": "25.10", "gross_amount": gross, "net_amount": net, "rate_table": "T84",
        "bank_data": {}, "blocked_reason": None,
    }  # fmt: skip


def simulation_page(client, db, w) -> str:
    simulation = BankSimulation(
        client_id=w.client.id, product="new", agreement="INSS", term_months=84, requested_amount=None,
        installment=None, idempotency_key=secrets.token_hex(8),
        options=[option("facta", "10000.00", "9500.00"), option("daycoval", "8000.00", "7600.00")],
        outcomes=[{"bank": "facta", "bank_name": "Facta", "outcome": "ok", "message": "", "latency_ms": 5},
                  {"bank": "daycoval", "bank_name": "Daycoval", "outcome": "ok", "message": "", "latency_ms": 5}],  # noqa: E501
    )  # fmt: skip
    db.add(simulation)
    db.flush()
    response = form_post(client, "/login", {"email": w.agent.user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/sales/clients/{w.client.id}/simulations/{simulation.id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return page.get_data(as_text=True)


def cell(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</td>", start)]


def test_offer_shows_company_commission_and_agent_share_by_hand(client, db):
    w = world(db)  # approved Facta: flat 6 % + 0,5 % × 12 on the gross; Ana's plan 40 %
    factories.bank(db, "daycoval")
    html = simulation_page(client, db, w)
    facta = cell(html, "commission-facta-0")
    # 6 % of 10.000,00 = 600,00 now + 12 × 50,00 deferred = 1.200,00; Ana 40 % = 480,00.
    assert text_by_testid(facta, "offer-company") == "R$ 1.200,00"
    assert "(R$ 600,00 à vista)" in visible_text(facta)
    assert text_by_testid(facta, "offer-agent") == "R$ 480,00"
    daycoval = cell(html, "commission-daycoval-1")
    assert "Sem tabela" in daycoval and "R$" not in daycoval


def test_agent_without_plan_sees_the_company_commission_and_no_share(client, db):
    w = world(db)
    factories.bank(db, "daycoval")
    for plan in db.query(CommissionPlan).all():
        db.delete(plan)
    db.flush()
    facta = cell(simulation_page(client, db, w), "commission-facta-0")
    assert text_by_testid(facta, "offer-company") == "R$ 1.200,00"
    assert text_by_testid(facta, "offer-agent") == "sem plano"
