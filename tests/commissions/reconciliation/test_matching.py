"""Every reconciliation outcome on plain values, amounts computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.commissions.reconciliation.matching import Expected, ItemKey, Outcome, Reported, Rules, match

D = Decimal
KNOWN = {("facta", "CT-1"), ("facta", "CT-2")}
RULES = {"facta": Rules(tolerance=D("0.05"), missing_after_days=10)}
AS_OF = date(2026, 5, 1)  # well after March + 10 days


def rep(
    id_, amount, *, contract="CT-1", component="flat", on=date(2026, 3, 20), installment=None, kind="credito"
):
    return Reported(id_, "facta", contract, component, D(amount), on, installment, kind)


def exp(amount, *, contract="CT-1", component="flat", period="2026-03"):
    return Expected("facta", contract, component, period, D(amount))


def run(expected, reported, *, as_of=AS_OF, links=None, known=KNOWN):
    return match(expected, reported, known=known, links=links or {}, rules=RULES, as_of=as_of)


def only(items):
    assert len(items) == 1, items
    return items[0]


def test_matched_within_tolerance_both_ways():
    item = only(run([exp("600.00")], [rep(1, "599.95")]))
    assert item.outcome == Outcome.MATCHED and item.difference == D("-0.05")
    assert only(run([exp("600.00")], [rep(1, "600.05")])).outcome == Outcome.MATCHED


def test_one_centavo_beyond_tolerance_is_short_or_over():
    short = only(run([exp("600.00")], [rep(1, "599.94")]))
    assert short.outcome == Outcome.SHORT and short.difference == D("-0.06")
    over = only(run([exp("600.00")], [rep(1, "650.00")]))
    assert over.outcome == Outcome.OVER and over.difference == D("50.00")


def test_several_lines_of_a_component_are_summed():
    item = only(
        run(
            [exp("50.00", component="diferido")],
            [
                rep(1, "30.00", component="diferido", installment=1),
                rep(2, "20.00", component="diferido", installment=2),
            ],
        )
    )
    assert item.outcome == Outcome.MATCHED and item.reported == D("50.00")


def test_missing_only_after_the_banks_days():
    # March ends on 31/03; with 10 days the line is missing from 11/04 on.
    waiting = only(run([exp("600.00")], [], as_of=date(2026, 4, 10)))
    assert waiting.outcome == Outcome.PENDING and not waiting.outcome.divergent
    missing = only(run([exp("600.00")], [], as_of=date(2026, 4, 11)))
    assert missing.outcome == Outcome.MISSING and missing.difference == D("-600.00")


def test_unknown_contract_then_linked():
    item = only(run([], [rep(1, "120.00", contract="BANK-99")]))
    assert item.outcome == Outcome.UNKNOWN and item.reported == D("120.00")
    assert item.key == ItemKey("facta", "2026-03", "BANK-99", "flat")
    linked = run(
        [exp("120.00", contract="CT-2")],
        [rep(1, "120.00", contract="BANK-99")],
        links={("facta", "BANK-99"): "CT-2"},
    )
    item = only(linked)
    assert (
        item.outcome == Outcome.MATCHED
        and item.key.contract == "CT-2"
        and item.reported_contract == "BANK-99"
    )


def test_duplicate_line_is_its_own_item_and_the_rest_still_matches():
    items = run([exp("600.00")], [rep(1, "600.00"), rep(2, "600.00", on=date(2026, 3, 25))])
    by_outcome = {i.outcome: i for i in items}
    assert set(by_outcome) == {Outcome.DUPLICATE, Outcome.MATCHED}
    dup = by_outcome[Outcome.DUPLICATE]
    assert dup.key.duplicate and dup.reported == D("600.00") and dup.line_ids == (2,)
    assert by_outcome[Outcome.MATCHED].line_ids == (1,)


def test_same_amount_for_different_installments_is_no_duplicate():
    items = run(
        [exp("100.00", component="diferido")],
        [
            rep(1, "50.00", component="diferido", installment=1),
            rep(2, "50.00", component="diferido", installment=2),
        ],
    )
    assert [i.outcome for i in items] == [Outcome.MATCHED]


def test_clawback_not_expected_and_expected_clawback():
    item = only(run([], [rep(1, "-600.00", component="estorno", kind="debito")]))
    assert item.outcome == Outcome.UNEXPECTED_CLAWBACK and item.difference == D("-600.00")
    expected = only(
        run([exp("-400.00", component="estorno")], [rep(1, "-400.00", component="estorno", kind="debito")])
    )
    assert expected.outcome == Outcome.MATCHED
    bigger = only(
        run([exp("-400.00", component="estorno")], [rep(1, "-600.00", component="estorno", kind="debito")])
    )
    assert bigger.outcome == Outcome.SHORT and bigger.difference == D("-200.00")


def test_component_not_expected_is_over_and_periods_are_apart():
    item = only(run([], [rep(1, "25.00", component="bonus")]))
    assert item.outcome == Outcome.OVER and item.difference == D("25.00")
    items = run([exp("600.00", period="2026-04")], [rep(1, "600.00")], as_of=date(2026, 4, 2))
    assert {(i.key.period, i.outcome) for i in items} == {
        ("2026-03", Outcome.OVER),
        ("2026-04", Outcome.PENDING),
    }


def test_default_rules_apply_to_a_bank_without_its_own():
    pan = [Reported(1, "pan", "P-1", "flat", D("110.00"), date(2026, 3, 1))]
    owed = [Expected("pan", "P-1", "flat", "2026-03", D("100.00"))]
    args = {"known": {("pan", "P-1")}, "links": {}, "rules": RULES, "as_of": AS_OF}
    assert only(match(owed, pan, default=Rules(D("10.00"), 5), **args)).outcome == Outcome.MATCHED
    assert only(match(owed, pan, default=Rules(D("9.99"), 5), **args)).outcome == Outcome.OVER
