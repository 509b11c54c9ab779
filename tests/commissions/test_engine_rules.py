"""Hand-computed examples of the engine's rules: rounding, clawback rules, bases,
resolution (most specific, ambiguous, none), effective-dated plans and targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from portal.commissions.engine import contract_lines, resolve_row, target_lines
from portal.commissions.types import (
    ANY,
    COMPANY,
    CalcBase,
    ClawbackRule,
    EndReason,
    LineKind,
    Plan,
    PlanBasis,
    Tier,
    TierMode,
)  # fmt: skip

from .builders import AGENT, contract, plan, row, summary


def test_half_up_rounding_at_half_a_centavo():
    # 0,50 % of R$ 1.001,00 = 5,005 → 5,01 (half-even would give 5,00)
    lines = contract_lines(contract(gross=D("1001.00")), [row(flat=D("0.50"), deferred_months=0)])
    assert summary(lines) == [(COMPANY, "flat", "2026-03", "5.01", "")]


def test_integral_rule_reverses_flat_bonus_and_fixed_in_full():
    table = row(bonus=D("1.00"), fixed=D("15.00"), deferred_months=0, clawback_rule=ClawbackRule.FULL)
    ended = contract(ended_on=date(2026, 3, 25), end_reason=EndReason.CANCELLATION)
    lines = contract_lines(ended, [table])
    assert summary(lines) == [
        (COMPANY, "flat", "2026-03", "600.00", ""),
        (COMPANY, "bonus", "2026-03", "100.00", ""),
        (COMPANY, "fixo", "2026-03", "15.00", ""),
        (COMPANY, "estorno", "2026-03", "-600.00", "flat"),
        (COMPANY, "estorno", "2026-03", "-100.00", "bonus"),
        (COMPANY, "estorno", "2026-03", "-15.00", "fixo"),
    ]
    assert lines[3].explanation.startswith("estorno integral de R$ 600,00 (comissão à vista)")


def test_ended_after_window_keeps_upfront_but_stops_deferral():
    # paid 05/03, paid off 13/06 = 100 days > 90: flat kept; deferred July 2026..March 2027 reversed
    ended = contract(ended_on=date(2026, 6, 13), end_reason=EndReason.PAYOFF)
    lines = contract_lines(ended, [row()], [plan()])
    reversals = [s for s in summary(lines) if s[1] == "estorno"]
    assert len(reversals) == 2 * 9
    assert set(reversals) == {(COMPANY, "estorno", "2026-06", "-50.00", "diferido"),
                              (AGENT, "estorno", "2026-06", "-20.00", "repasse")}  # fmt: skip
    assert "quitação antecipada" in lines[-1].explanation


def test_pro_rata_on_the_last_day_of_the_window_reverses_nothing_upfront():
    ended = contract(ended_on=date(2026, 6, 3), end_reason=EndReason.CANCELLATION)  # 90 days
    lines = contract_lines(ended, [row(deferred_months=0)], [plan()])
    assert [s[1] for s in summary(lines)] == ["flat", "repasse"]


def test_portability_base_is_the_cash_out():
    table = row(product="portability", base=CalcBase.CASH_OUT, flat=D("3.00"), deferred_months=0)
    port = contract(product="portability", cash_out=D("2345.67"))
    [line] = contract_lines(port, [table])
    assert line.amount == D("70.37")  # 3 % of 2.345,67 = 70,3701
    assert line.explanation == "3,00% de R$ 2.345,67 (troco), tabela Facta v3 linha 12"


def test_net_plus_insurance_base():
    table = row(base=CalcBase.NET_PLUS_INSURANCE, deferred_months=0)
    [line] = contract_lines(contract(net=D("9000.00"), insurance=D("333.33")), [table])
    assert line.amount == D("560.00")  # 6 % of 9.333,33 = 559,9998


def test_most_specific_row_wins():
    wide_exact_code = row(table_code="T84", term_from=1, term_to=120, line_no=1)
    narrow_any = row(term_from=84, term_to=84, line_no=2)
    assert resolve_row(contract(), [narrow_any, wide_exact_code]).row == wide_exact_code
    exact_agreement = row(term_from=1, term_to=120, line_no=3)
    any_agreement = row(agreement=ANY, term_from=84, term_to=84, line_no=4)
    assert resolve_row(contract(), [any_agreement, exact_agreement]).row == exact_agreement
    narrow_rate = row(rate_from=D("1.80"), rate_to=D("1.90"), line_no=5)
    assert resolve_row(contract(), [row(line_no=6), narrow_rate]).row == narrow_rate


def test_validity_is_inclusive_on_both_ends():
    ends_on_payment = row(valid_to=date(2026, 3, 5))
    assert resolve_row(contract(), [ends_on_payment]).row == ends_on_payment
    assert resolve_row(contract(), [row(valid_to=date(2026, 3, 4))]).row is None


def test_ambiguous_rows_are_named_and_nothing_is_picked():
    rows = [row(line_no=3), row(line_no=7)]
    production = plan("1.00", PlanBasis.PRODUCTION)
    lines = contract_lines(contract(), rows, [plan(), production])
    resolution = resolve_row(contract(), rows)
    assert resolution.problem is LineKind.AMBIGUOUS and resolution.row is None
    assert "linhas 3 e 7 da tabela Facta v3" in resolution.reason
    assert summary(lines) == [
        (COMPANY, "tabela_ambigua", "2026-03", "0.00", ""),
        (AGENT, "repasse", "2026-03", "100.00", ""),  # production plan: 1 % of 10.000,00
    ]
    assert lines[0].explanation == resolution.reason


def test_no_table_says_what_did_not_match():
    lines = contract_lines(contract(), [row(term_to=72)], [plan()])
    assert summary(lines) == [(COMPANY, "sem_tabela", "2026-03", "0.00", "")]
    assert lines[0].explanation == (
        "nenhuma linha de tabela para Facta / Empréstimo novo / convênio INSS, tabela T84, "
        "prazo 84, taxa 1,85%, pago em 05/03/2026: nenhuma linha cobre o prazo 84"
    )
    other_bank = resolve_row(contract(bank="pan"), [row()])
    assert other_bank.reason.endswith("banco e produto sem tabela")


def test_plan_in_force_on_the_payment_date_applies():
    old = plan("30", valid_to=date(2026, 3, 4))
    new = plan("40", valid_from=date(2026, 3, 5))
    lines = contract_lines(contract(), [row(deferred_months=0)], [old, new, plan("50", payee="x@y.z")])
    assert summary(lines)[1] == (AGENT, "repasse", "2026-03", "240.00", "flat")
    assert len(lines) == 2


def production_plan(mode: TierMode, basis: PlanBasis = PlanBasis.PRODUCTION, percent: str = "1.00"):  # noqa: ANN201
    tiers = (Tier(D("100000.00"), D(percent) + D("0.50")), Tier(D("200000.00"), D("9")))
    return Plan(AGENT, date(2026, 1, 1), None, basis, D(percent), tiers, mode)


def test_target_on_whole_production():
    [line] = target_lines(AGENT, "2026-03", D("120000.00"), production_plan(TierMode.WHOLE), [])
    assert (line.kind, line.amount) == (LineKind.PAYOUT, D("600.00"))  # +0,5 % of 120.000,00
    assert (line.base, line.percent) == (D("120000.00"), D("0.50"))
    assert "toda a produção" in line.explanation


def test_target_only_above_threshold():
    [line] = target_lines(AGENT, "2026-03", D("120000.00"), production_plan(TierMode.ABOVE), [])
    assert line.amount == D("100.00")  # 0,5 % of the 20.000,00 above the target
    assert "acima da meta" in line.explanation


def test_target_not_reached_adds_nothing():
    assert target_lines(AGENT, "2026-03", D("99999.99"), production_plan(TierMode.WHOLE), []) == []


def test_target_on_a_commission_plan_uses_the_mirrored_commission():
    lines = contract_lines(contract(gross=D("100000.00")), [row(deferred_months=0)], [plan()])
    commission_plan = production_plan(TierMode.WHOLE, PlanBasis.COMMISSION, "40")
    [line] = target_lines(AGENT, "2026-03", D("100000.00"), commission_plan, lines)
    assert line.amount == D("30.00")  # +0,5 % of the 6.000,00 mirrored
