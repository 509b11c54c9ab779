"""Property-based checks of the engine (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.commissions.engine import contract_lines
from portal.commissions.types import (
    COMPANY,
    CalcBase,
    ClawbackRule,
    EndReason,
    LineKind,
    Override,
    PlanBasis,
)  # fmt: skip

from .builders import contract, plan, row

money = st.integers(0, 10**9).map(lambda c: Decimal(c).scaleb(-2))
percent = st.integers(0, 10_000).map(lambda c: Decimal(c).scaleb(-2))
small_percent = st.integers(0, 1_000).map(lambda c: Decimal(c).scaleb(-3))


@st.composite
def cases(draw):  # noqa: ANN001, ANN201
    table = row(
        base=draw(st.sampled_from(CalcBase)), flat=draw(small_percent), bonus=draw(small_percent),
        deferred=draw(small_percent), deferred_months=draw(st.integers(0, 24)), fixed=draw(money),
        clawback_days=draw(st.integers(0, 365)), clawback_rule=draw(st.sampled_from(ClawbackRule)),
    )  # fmt: skip
    deal = contract(
        gross=draw(money), net=draw(money), cash_out=draw(money), insurance=draw(money),
        paid_on=date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700))),
    )  # fmt: skip
    plans = [plan(basis=PlanBasis.COMMISSION, percent=str(draw(percent)))]
    if draw(st.booleans()):
        plans.append(plan(basis=PlanBasis.PRODUCTION, percent=str(draw(small_percent))))
    overrides = [Override("sup@demo.athenas", "supervisor", draw(small_percent))]
    return table, deal, plans, overrides


@settings(max_examples=150, deadline=None)
@given(cases())
def test_repasse_never_exceeds_the_plan(case):  # noqa: ANN001
    table, deal, plans, overrides = case
    lines = contract_lines(deal, [table], plans, overrides)
    share = plans[0].percent
    company = sum((ln.amount for ln in lines if ln.payee == COMPANY), Decimal(0))
    mirrored = [ln for ln in lines if ln.kind is LineKind.PAYOUT and ln.source_kind is not None]
    half_cent = Decimal("0.005")
    for line in mirrored:  # each within half a centavo of the plan's share of its company line
        assert abs(line.amount - line.base * share / 100) <= half_cent
        assert line.percent == share
    total = sum((ln.amount for ln in mirrored), Decimal(0))
    assert total <= company * share / 100 + half_cent * len(mirrored)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_lines_plus_full_reversal_sum_to_zero_per_payee(case):  # noqa: ANN001
    table, deal, plans, overrides = case
    integral = table.__class__(**{**table.__dict__, "clawback_rule": ClawbackRule.FULL})
    ended = deal.__class__(**{**deal.__dict__, "ended_on": deal.paid_on,
                              "end_reason": EndReason.CANCELLATION})  # fmt: skip
    totals: dict[str, Decimal] = defaultdict(Decimal)
    lines = contract_lines(ended, [integral], plans, overrides)
    for line in lines:
        totals[line.payee] += line.amount
    assert all(total == 0 for total in totals.values()), dict(totals)
    assert any(ln.kind is LineKind.CLAWBACK for ln in lines) or all(ln.amount == 0 for ln in lines)
