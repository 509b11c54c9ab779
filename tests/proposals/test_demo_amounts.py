"""Demo proposals a correspondent would believe: every installment fits the client's
payroll margin and every gross is a usual ticket for its product (issue 9, first hour 10)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.clients.models import BenefitLink
from portal.demo import seed
from portal.demo.amounts import plan_amounts
from portal.proposals.models import Proposal

D = Decimal
# Margin % of the benefit/salary per product (IN 138/2022; Crédito do Trabalhador 35 %).
MARGIN_PCT = {
    "new": D(35), "refin": D(35), "portability": D(35), "portability_refin": D(35),
    "clt": D(35), "card": D(5), "benefit_card": D(5),
}  # fmt: skip
RANGES = {
    "new": (D(1000), D(30000)),
    "refin": (D(3000), D(60000)),
    "portability": (D(3000), D(60000)),
    "portability_refin": (D(3000), D(60000)),
    "clt": (D(1000), D(20000)),
    "fgts": (D(300), D(5000)),
}
# Cash-out at most this share of the gross: refin and portability mostly pay off the old contract.
MAX_CASH_SHARE = {"refin": D("0.55"), "portability_refin": D("0.55"), "portability": D("0.12")}
IOF = (D("0.0082"), D("0.38"))


def test_every_demo_installment_fits_the_margin_and_every_gross_is_usual(app, db):
    with app.app_context():
        seed(db)
        incomes: dict[tuple[int, str], list[Decimal]] = {}
        for client_id, agreement, income in db.execute(
            select(BenefitLink.client_id, BenefitLink.agreement, BenefitLink.monthly_income)
        ):
            incomes.setdefault((client_id, agreement), []).append(income)
        proposals = db.scalars(select(Proposal).where(Proposal.idempotency_key.like("demo-%"))).all()
        assert len(proposals) >= 3000
        assert {p.product for p in proposals} == set(RANGES) | {"card", "benefit_card"}
        for p in proposals:
            agreement = "CLT" if p.product == "fgts" else p.agreement
            # A client may hold two links of one agreement: the proposal is for one of them.
            benefit = max(incomes[(p.client_id, agreement)])
            smallest = min(incomes[(p.client_id, agreement)])
            assert p.net_amount is not None and 0 < p.net_amount < p.gross_amount, p.idempotency_key
            if p.product in MARGIN_PCT:
                margin = benefit * MARGIN_PCT[p.product] / 100
                assert p.installment <= margin, (p.idempotency_key, p.installment, margin)
            if p.product in MAX_CASH_SHARE:
                assert p.net_amount <= p.gross_amount * MAX_CASH_SHARE[p.product], p.idempotency_key
            if p.agreement == "INSS":
                assert p.term_months <= 84
            if p.product in ("card", "benefit_card"):
                low, high = smallest * D("1.5"), benefit * 2
            else:
                low, high = RANGES[p.product]
            assert low <= p.gross_amount <= high, (p.idempotency_key, p.product, p.gross_amount)


def test_installment_is_the_price_formula_at_the_rate():
    # R$ 10.000 at 1,85 % a.m. in 84x: 10000 × 0.0185 / (1 − 1.0185^−84) = 235,49 (by hand).
    class Fixed(random.Random):
        def random(self):
            return 0.5  # wanted gross 1000 + 29000 × 0.25 = 8.250

        def choice(self, seq):
            return seq[-1]  # 1,85 % and 84 months

    amounts = plan_amounts(Fixed(), "new", D("3000.00"), D(35), date(2026, 1, 15), IOF)
    assert (amounts.gross, amounts.monthly_rate, amounts.term) == (D("8250.00"), D("1.85"), 84)
    assert amounts.installment == D("194.28")  # 8250 × 0.0235489… = 194.28
    # Earning R$ 500 (margin R$ 175,00) the largest gross that fits is 175 / 0.0235496 = 7.431,12.
    capped = plan_amounts(Fixed(), "new", D("500.00"), D(35), date(2026, 1, 15), IOF)
    assert (capped.gross, capped.installment) == (D("7431.12"), D("175.00"))
