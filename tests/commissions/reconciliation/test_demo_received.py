"""The demo's received money: what the ledger expects per bank and closed period, the first
bank's latest period R$ 150,00 short; seeding twice adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.commissions import periods
from portal.commissions.reconciliation.models import ReceivedPayment
from portal.demo.reconciliation import seed_received
from tests.commissions.helpers import FINANCE, paid_proposal, world


def test_demo_received_payments(db, monkeypatch):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5), contract="CT-EXEMPLO")
    periods.close_period(db, FINANCE, "2026-03")
    seed_received(db)
    seed_received(db)
    rows = db.execute(select(ReceivedPayment.bank_code, ReceivedPayment.period, ReceivedPayment.received_on,
                             ReceivedPayment.amount)).all()  # fmt: skip
    # Company flat of March: 6 % of R$ 10.000,00 = R$ 600,00, minus the demo's R$ 150,00.
    assert rows == [("facta", "2026-03", date(2026, 4, 10), Decimal("450.00"))]
