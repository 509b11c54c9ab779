"""The demo's bank reports: imported through the hub with saved layouts, most lines match
the ledger, and Facta's latest closed period shows one of each deliberate divergence."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.commissions.models import CommissionPeriod, PeriodState
from portal.commissions.reconciliation.matching import Outcome
from portal.commissions.reconciliation.service import reconcile
from portal.commissions.reports.models import BankReportLine
from portal.core.imports.models import DataImport, ImportLayout
from portal.demo import seed
from portal.demo.reports import seed_reports


def test_demo_reports_hold_each_deliberate_divergence(app, db):
    with app.app_context():
        seed(db)
        lines = db.scalar(select(func.count()).select_from(BankReportLine))
        seed_reports(db)  # a second run adds nothing
        assert db.scalar(select(func.count()).select_from(BankReportLine)) == lines
    imports = list(db.scalars(select(DataImport)))
    assert imports and all(i.status == "done" and i.errors == 0 for i in imports)
    assert {i.file_format for i in imports} == {"csv", "xlsx"}
    layouts = {(r.bank_code, r.name) for r in db.scalars(select(ImportLayout))}
    assert ("facta", "Facta – relatório AF") in layouts
    assert ("c6", "C6 – extrato de comissões") in layouts

    closed = sorted(db.scalars(select(CommissionPeriod.period).where(
        CommissionPeriod.state == PeriodState.CLOSED.value)))  # fmt: skip
    latest = closed[-1]
    items, rollup = [], []
    for period in closed:  # the reported periods (later deferred installments are not due yet)
        result = reconcile(db, as_of=date(2100, 1, 1), period=period)
        items += result.items
        rollup += result.rollup
    outcomes = Counter(v.item.outcome for v in items)
    assert outcomes[Outcome.MATCHED] > 10 * sum(c for o, c in outcomes.items() if o.divergent)
    facta = Counter(
        v.item.outcome for v in items if v.key.bank == "facta" and v.key.period == latest
    )
    for outcome in (Outcome.SHORT, Outcome.OVER, Outcome.UNKNOWN, Outcome.DUPLICATE,
                    Outcome.UNEXPECTED_CLAWBACK):  # fmt: skip
        assert facta[outcome] == 1, outcome
    # Only Facta's latest file diverges; every other bank and period matches line for line.
    divergent = [v for v in items if v.item.outcome.divergent]
    others = [v for v in divergent if (v.key.bank, v.key.period) != ("facta", latest)]
    assert others == []
    by_outcome = {v.item.outcome: v.item for v in items if v.key.bank == "facta"}
    assert by_outcome[Outcome.SHORT].difference == Decimal("-40.00")
    assert by_outcome[Outcome.OVER].difference == Decimal("25.00")
    assert by_outcome[Outcome.UNKNOWN].key.contract == "FAC-9999001"
    assert by_outcome[Outcome.UNKNOWN].reported == Decimal("180.00")
    assert by_outcome[Outcome.UNEXPECTED_CLAWBACK].reported == Decimal("-95.00")
    # Facta's row of the overview: the bank reported R$ 180 + 25 − 40 − 95 + the duplicate
    # more than the ledger expects; the money received is what the ledger expected.
    row = next(r for r in rollup if (r.bank, r.period) == ("facta", latest))
    duplicate = by_outcome[Outcome.DUPLICATE].reported
    assert row.reported_minus_expected == Decimal("70.00") + duplicate
    assert row.received == row.expected
