"""One period reconciled on its own gives exactly what the full computation gives for that
period (the pages now open on one period), and its cost in statements does not grow with the
ledger's other periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.commissions.reconciliation import actions, received, rules, summary
from portal.commissions.reconciliation.matching import ItemKey, Outcome
from portal.commissions.reconciliation.service import reconcile
from portal.commissions.reconciliation.summary import divergent_items, summarize
from tests.commissions.helpers import FINANCE, paid_proposal, world
from tests.commissions.reconciliation.helpers import line, report
from tests.pipeline_helpers import count_queries

D = Decimal
AS_OF = date(2026, 6, 15)


@pytest.fixture(params=["by contract", "by scope"])
def reads(request, monkeypatch):
    """Touched contracts read by contract (few) or from the scope's rows (many: CHUNK = 1)."""
    if request.param == "by scope":
        monkeypatch.setattr(summary, "CHUNK", 1)


@pytest.fixture
def ledger(db, monkeypatch):
    """Two contracts over March–June with every kind of item: short, over, matched,
    unknown, missing; an acceptance, a dispute and money received."""
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5), contract="CT-EXEMPLO")
    paid_proposal(db, monkeypatch, w, date(2026, 4, 10), gross="5000.00", contract="CT-DOIS")
    imp = report(db)
    line(db, imp, "CT-EXEMPLO", "598.50", date(2026, 3, 28))
    line(db, imp, "CT-EXEMPLO", "50.00", date(2026, 4, 28), component="diferido")
    line(db, imp, "CT-EXEMPLO", "51.00", date(2026, 5, 28), component="diferido")
    line(db, imp, "CT-DOIS", "300.00", date(2026, 4, 28))
    line(db, imp, "FACTA-0077", "12.00", date(2026, 5, 2), component="bonus")
    actions.accept(db, FINANCE, ItemKey("facta", "2026-03", "CT-EXEMPLO", "flat"), "Arredondamento", AS_OF)
    actions.open_dispute(
        db, FINANCE, ItemKey("facta", "2026-05", "FACTA-0077", "bonus"), "Não é nosso", "P-1", AS_OF
    )
    received.add_manual(
        db, FINANCE, bank_code="facta", received_on=date(2026, 4, 30), amount=D("598.50"), period="2026-03"
    )
    return w


def _items(result) -> dict:
    return {
        v.key: (v.item.outcome, v.item.expected, v.item.reported, v.accepted, v.status, v.age_days)
        for v in result.items
    }


def _rows(result) -> dict:
    return {
        (r.bank, r.period): (
            r.expected,
            r.reported,
            r.received,
            r.adjustments,
            r.open_items,
            r.open_difference,
        )
        for r in result.rollup
    }


def test_each_period_alone_equals_the_full_computation_to_the_centavo(db, ledger):
    full = reconcile(db, as_of=AS_OF)
    periods = sorted({p for _, p in _rows(full)})
    assert periods == ["2026-03", "2026-04", "2026-05", "2026-06"]
    for period in periods:
        alone = reconcile(db, as_of=AS_OF, period=period)
        assert _rows(alone) == {k: v for k, v in _rows(full).items() if k[1] == period}
        assert _items(alone) == {k: v for k, v in _items(full).items() if k.period == period}
    # The hand-checked figures of March: R$ 600,00 expected, R$ 598,50 reported and
    # received, R$ 1,50 accepted, nothing left open.
    march = _rows(reconcile(db, as_of=AS_OF, period="2026-03"))[("facta", "2026-03")]
    assert march == (D("600.00"), D("598.50"), D("598.50"), D("-1.50"), 0, D("0.00"))


def test_one_period_costs_the_same_statements_whatever_the_other_periods_hold(db, monkeypatch, ledger):
    def run():
        with count_queries(db.get_bind()) as statements:
            result = reconcile(db, as_of=AS_OF, period="2026-06")
        return len(statements), _rows(result)

    small, rows = run()
    imp = report(db)
    for month in (1, 2, 3, 4, 5):
        for n in range(3):
            paid_proposal(db, monkeypatch, ledger, date(2025, month, 5 + n), contract=f"CT-{month}-{n}")
            line(db, imp, f"CT-{month}-{n}", "600.00", date(2025, month, 20))
    assert run() == (small, rows)


def _missing(result) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in result.items:
        if v.item.outcome == Outcome.MISSING and v.is_open:
            out[v.key.bank] = out.get(v.key.bank, 0) + 1
    return out


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"period": "2026-03"},
        {"period": "2026-04"},
        {"period": "2026-05"},
        {"bank": "facta"},
        {"bank": "c6"},
    ],
)
def test_the_summary_equals_the_full_rollup_to_the_centavo(db, monkeypatch, ledger, reads, scope):
    # Contracts no bank line or decision touches: April items missing, later ones awaited.
    for n in range(3):
        paid_proposal(db, monkeypatch, ledger, date(2026, 4, 2 + n), contract=f"CT-SO-{n}")
    full = reconcile(db, as_of=AS_OF, **scope)
    fast = summarize(db, as_of=AS_OF, **scope)
    assert _rows(fast) == _rows(full)
    assert [(r.bank, r.period, dict(r.counts)) for r in fast.rollup] == [
        (r.bank, r.period, dict(r.counts)) for r in full.rollup
    ]
    assert fast.missing == _missing(full)


def test_the_summary_of_march_by_hand(db, ledger):
    (march,) = summarize(db, as_of=AS_OF, period="2026-03").rollup
    assert _rows(type("R", (), {"rollup": [march]})) == {
        ("facta", "2026-03"): (D("600.00"), D("598.50"), D("598.50"), D("-1.50"), 0, D("0.00"))
    }
    assert dict(march.counts) == {"short": 1}


def _divergent(result) -> list:
    return [
        (
            v.key,
            v.item.outcome,
            v.item.expected,
            v.item.reported,
            v.accepted,
            v.status,
            v.item.reported_contract,
        )
        for v in result
        if v.item.outcome.divergent
    ]


@pytest.mark.parametrize("bank", ["", "facta"])
@pytest.mark.parametrize("facta_days", [None, 5])
@pytest.mark.parametrize("period", ["2026-03", "2026-04", "2026-05", "2026-06"])
def test_divergent_items_equal_the_full_computation(db, monkeypatch, ledger, reads, period, facta_days, bank):
    """Within the days to report, untouched items are not read at all; past them (April by
    default, May too once Facta allows 5 days) every item of the late bank is."""
    for n in range(3):
        paid_proposal(db, monkeypatch, ledger, date(2026, 5, 2 + n), contract=f"CT-MAIO-{n}")
    if facta_days is not None:
        rules.set_rules(db, FINANCE, "facta", D("0.05"), facta_days, today=date(2026, 6, 1))
    full = reconcile(db, as_of=AS_OF, bank=bank, period=period).items
    fast = divergent_items(db, as_of=AS_OF, bank=bank, period=period)
    assert _divergent(fast) == _divergent(full)
    if period == "2026-05":  # once Facta's 5 days passed: the three May flats and CT-DOIS's deferred
        assert sum(1 for v in fast if v.item.outcome == Outcome.MISSING) == (4 if facta_days else 0)
