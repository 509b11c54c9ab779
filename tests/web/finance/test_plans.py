"""Plans and overrides through the page: create with tiers, end, bad input in place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.commissions.models import CommissionPlan, OverrideRate
from tests import factories
from tests.page_text import visible_text

D = Decimal


def test_create_a_plan_with_tiers_and_see_it_listed(client, db, fin, finance_user, post):
    other = factories.collaborator(db, None, None, name="Carla Vendas", email="carla@teste.athenas")
    data = {
        "payee": str(other.id), "name": "Padrão 2026", "valid_from": "2026-04-01", "basis": "producao",
        "percent": "1,5", "tier_mode": "acima_da_meta", "tiers": "50.000,00; 2\n100.000,00; 2,5",
    }  # fmt: skip
    response = post("/finance/plans", data, page="/finance/plans")
    assert response.status_code == 303
    plan = db.scalar(select(CommissionPlan).where(CommissionPlan.collaborator_id == other.id))
    assert plan.percent == D("1.5") and plan.basis == "producao" and plan.tier_mode == "acima_da_meta"
    assert [(t.threshold, t.percent) for t in plan.tiers] == [
        (D("50000.00"), D("2")),
        (D("100000.00"), D("2.5")),
    ]
    html = client.get("/finance/plans").get_data(as_text=True)
    row = visible_text(html.split(f'data-testid="plan-{plan.id}"')[1].split("</tr>")[0])
    assert "Carla Vendas" in row and "01/04/2026 a em aberto" in row and "1,50%" in row
    assert "a partir de R$ 50.000,00: 2,00%" in row and "só acima da meta" in row


def test_bad_tier_line_is_named_and_nothing_created(client, db, fin, finance_user, post):
    data = {
        "payee": str(fin.agent.id),
        "valid_from": "2026-04-01",
        "basis": "comissao",
        "percent": "45",
        "tiers": "50.000,00; 2\nmuito; 3",
    }
    response = post("/finance/plans", data, page="/finance/plans")
    assert response.status_code == 422
    assert "Meta da linha 2" in response.get_data(as_text=True)
    assert db.scalar(select(CommissionPlan).where(CommissionPlan.valid_from == date(2026, 4, 1))) is None


def test_end_a_plan(client, db, fin, finance_user, post):
    plan = db.scalar(select(CommissionPlan).where(CommissionPlan.collaborator_id == fin.agent.id))
    response = post(f"/finance/plans/{plan.id}/end", {"valid_to": "2026-06-30"}, page="/finance/plans")
    assert response.status_code == 303
    db.expire_all()
    assert db.get(CommissionPlan, plan.id).valid_to == date(2026, 6, 30)
    response = post(f"/finance/plans/{plan.id}/end", {"valid_to": "2024-01-01"}, page="/finance/plans")
    assert response.status_code == 422 and "antes de começar" in response.get_data(as_text=True)


def test_override_rate_per_level(client, db, fin, finance_user, post):
    response = post(
        "/finance/plans/overrides",
        {"level": "gerente", "percent": "0,15", "valid_from": "2026-04-01"},
        page="/finance/plans",
    )
    assert response.status_code == 303
    rate = db.scalar(select(OverrideRate).where(OverrideRate.level == "gerente"))
    assert rate.percent == D("0.15") and rate.valid_from == date(2026, 4, 1)
    html = client.get("/finance/plans").get_data(as_text=True)
    assert 'Gerente</td><td class="text-end">0,15%' in html
