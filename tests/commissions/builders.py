"""Builders of engine inputs for the commission tests (plain values, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from portal.commissions.types import ANY, CalcBase, ClawbackRule, Contract, Plan, PlanBasis, TableRow

AGENT = "ana@demo.athenas"
SUPERVISOR = "sergio@demo.athenas"


def row(**changes: object) -> TableRow:
    """Facta v3 line 12: INSS new loans, 6 % flat + 0,5 % deferred for 12 months, 90-day pro rata."""
    base = TableRow(
        bank="facta", product="new", agreement="INSS", table_code=ANY, term_from=1, term_to=96,
        rate_from=D("0"), rate_to=D("3"), valid_from=date(2026, 1, 1), valid_to=None,
        base=CalcBase.GROSS, flat=D("6.00"), deferred=D("0.50"), deferred_months=12, bonus=D("0"),
        fixed=D("0.00"), clawback_days=90, clawback_rule=ClawbackRule.PRO_RATA,
        version_label="Facta v3", line_no=12,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def contract(**changes: object) -> Contract:
    """INSS new loan of R$ 10.000,00 paid on 05/03/2026, sold by the demo agent."""
    base = Contract(
        number="FAC-1", bank="facta", product="new", agreement="INSS", table_code="T84",
        term_months=84, monthly_rate=D("1.85"), gross=D("10000.00"), net=D("9500.00"),
        cash_out=D("0.00"), insurance=D("0.00"), paid_on=date(2026, 3, 5), agent=AGENT,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def plan(percent: str = "40", basis: PlanBasis = PlanBasis.COMMISSION, **changes: object) -> Plan:
    base = Plan(AGENT, date(2025, 1, 1), None, basis, D(percent))
    return replace(base, **changes)  # type: ignore[arg-type]


def summary(lines):  # noqa: ANN001, ANN201 - test helper
    """(payee, kind, period, amount as text, source kind) per line, for exact comparisons."""
    return [
        (ln.payee, ln.kind.value, ln.period, str(ln.amount), ln.source_kind.value if ln.source_kind else "")
        for ln in lines
    ]
