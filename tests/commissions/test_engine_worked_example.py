"""The issue's worked example, every centavo computed by hand.

INSS new loan, gross R$ 10.000,00 paid 05/03/2026; Facta: 6 % flat + 0,5 % deferred for
12 months; agent plan 40 % of the company commission; supervisor override 0,30 % of the
base. Then the same contract cancelled after 20 days with a 90-day pro-rata window.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from portal.commissions.engine import contract_lines
from portal.commissions.types import COMPANY, EndReason, Override

from .builders import AGENT, SUPERVISOR, contract, plan, row, summary

MONTHS = [
    "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
    "2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03",
]  # fmt: skip
OVERRIDE = Override(SUPERVISOR, "supervisor", D("0.30"))


def earned_lines():  # noqa: ANN201
    return (
        [(COMPANY, "flat", "2026-03", "600.00", "")]  # 6 % of 10.000,00
        + [(COMPANY, "diferido", m, "50.00", "") for m in MONTHS]  # 0,5 % of 10.000,00
        + [(AGENT, "repasse", "2026-03", "240.00", "flat")]  # 40 % of 600,00
        + [(AGENT, "repasse", m, "20.00", "diferido") for m in MONTHS]  # 40 % of 50,00
        + [(SUPERVISOR, "override", "2026-03", "30.00", "")]  # 0,30 % of 10.000,00
    )


def test_paid_contract_earns_every_line():
    lines = contract_lines(contract(), [row()], [plan()], [OVERRIDE])

    assert summary(lines) == earned_lines()
    flat = lines[0]
    assert flat.explanation == "6,00% de R$ 10.000,00 (valor bruto), tabela Facta v3 linha 12"
    assert flat.percent == D("6.00") and flat.base == D("10000.00") and flat.row == row()
    repasse = lines[13]
    assert repasse.explanation == "40,00% de R$ 600,00 (comissão à vista), plano de ana@demo.athenas"
    assert lines[-1].explanation == "0,30% de R$ 10.000,00 (valor bruto), override de supervisor"


def test_cancelled_after_20_days_reverses_pro_rata_and_cascades():
    cancelled = contract(ended_on=date(2026, 3, 25), end_reason=EndReason.CANCELLATION)
    lines = contract_lines(cancelled, [row()], [plan()], [OVERRIDE])

    reversals = summary(lines)[len(earned_lines()) :]
    expected = [(COMPANY, "estorno", "2026-03", "-466.67", "flat"),  # 600 × 70/90 = 466,666…
                (AGENT, "estorno", "2026-03", "-186.67", "repasse")]  # 240 × 70/90 = 186,666…
    for _ in MONTHS:  # every deferred month is after March: not earned, reversed in full
        expected += [(COMPANY, "estorno", "2026-03", "-50.00", "diferido"),
                     (AGENT, "estorno", "2026-03", "-20.00", "repasse")]
    expected += [(SUPERVISOR, "estorno", "2026-03", "-23.33", "override")]  # 30 × 70/90 = 23,333…
    assert reversals == expected  # fmt: skip
    assert lines[len(earned_lines())].explanation == (
        "estorno pro rata 70/90 de R$ 600,00 (comissão à vista): "
        "cancelamento após 20 dias, janela de 90 dias"
    )
    totals = {}
    for line in lines:
        totals[line.payee] = totals.get(line.payee, D(0)) + line.amount
    # company kept 600 − 466,67 = 133,33; agent 240 − 186,67 = 53,33; supervisor 30 − 23,33
    assert totals == {COMPANY: D("133.33"), AGENT: D("53.33"), SUPERVISOR: D("6.67")}


def test_cancelled_in_april_keeps_april_deferral():
    paid_late = contract(paid_on=date(2026, 3, 20), ended_on=date(2026, 4, 9), end_reason=EndReason.PAYOFF)
    lines = contract_lines(paid_late, [row()], [plan()])

    reversed_months = [ln.explanation.split("diferida ")[1][:7] for ln in lines
                       if ln.kind.value == "estorno" and ln.source_kind.value == "diferido"]  # fmt: skip
    assert reversed_months == MONTHS[1:]  # April (the end month) stays earned
    assert all(ln.period == "2026-04" for ln in lines if ln.kind.value == "estorno")
