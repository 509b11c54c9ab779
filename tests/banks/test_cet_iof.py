"""IOF financed into the loan and the CET, against examples computed by hand (issue 9,
first hour item 10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.banks import rules
from portal.banks.cet import cet_of_gross, finance
from portal.core.audit import SYSTEM

DAILY, FLAT = Decimal("0.0082"), Decimal("0.38")


def test_three_installments_iof_gross_installment_and_cet_by_hand():
    """Net R$ 1.000,00 at 2 % a.m. in 3 installments, released 01/01/2025, due 01/02,
    01/03 and 01/04/2025 (31, 59 and 90 days).

    Price factor 0,02 / (1 − 1,02^−3) = 0,3467547; per R$ 1 of principal the installments
    amortise 0,3267547, 0,3332898 and 0,3399556.
    IOF per R$ 1 = 0,0038 + 0,000082 × (0,3267547×31 + 0,3332898×59 + 0,3399556×90)
                 = 0,0038 + 0,000082 × 60,3894916 = 0,0087519.
    Gross = 1.000 / (1 − 0,0087519) = 1.008,829 → R$ 1.008,83 (IOF R$ 8,83).
    Installment = 1.008,83 × 0,3467547 = 349,818 → R$ 349,82.
    CET: m with 349,82/(1+m)^(31/30) + 349,82/(1+m)^(59/30) + 349,82/(1+m)^(90/30) = 1.000
         → m = 2,4529 % a.m.; yearly (1,024529)^12 − 1 = 33,748 % → 33,75 % a.a.
    """
    result = finance(
        Decimal("1000.00"), Decimal("2"), 3, date(2025, 1, 1), date(2025, 2, 1), DAILY, FLAT
    )
    assert (result.gross, result.iof, result.installment) == (
        Decimal("1008.83"),
        Decimal("8.83"),
        Decimal("349.82"),
    )
    assert (result.cet_monthly_pct, result.cet_annual_pct) == (Decimal("2.45"), Decimal("33.75"))
    assert result.cet_annual_pct > Decimal("26.82")  # (1,02)^12 − 1: the nominal rate alone


def test_days_beyond_a_year_count_as_365():
    """One installment due 400 days after release (01/01/2025 → 05/02/2026), net R$ 1.000,
    2 % a.m.: IOF per R$ 1 = 0,0038 + 0,000082 × 365 = 0,03373 (not × 400 = 0,0366).
    Gross = 1.000 / 0,96627 = 1.034,907 → R$ 1.034,91; installment 1.034,91 × 1,02 = 1.055,61.
    CET: (1.055,61 / 1.000)^(30/400) − 1 = 0,4067 % a.m.; (1,004067)^12 − 1 = 4,99 % a.a.
    """
    result = finance(
        Decimal("1000.00"), Decimal("2"), 1, date(2025, 1, 1), date(2026, 2, 5), DAILY, FLAT
    )
    assert (result.gross, result.iof, result.installment) == (
        Decimal("1034.91"),
        Decimal("34.91"),
        Decimal("1055.61"),
    )
    assert (result.cet_monthly_pct, result.cet_annual_pct) == (Decimal("0.41"), Decimal("4.99"))


def test_cet_of_a_priced_gross_takes_the_iof_out_of_what_the_client_receives():
    """The sandbox bank prices a gross; the client receives gross − IOF. Gross R$ 1.008,83
    of the first example: IOF = 1.008,83 × 0,0087519 = 8,829 → R$ 8,83, so the client
    receives R$ 1.000,00 and the CET is the same 33,75 % a.a."""
    iof, cet = cet_of_gross(
        Decimal("1008.83"), Decimal("349.82"), Decimal("2"), date(2025, 1, 1), date(2025, 2, 1), 3,
        DAILY, FLAT,
    )  # fmt: skip
    assert (iof, cet) == (Decimal("8.83"), Decimal("33.75"))


def test_iof_rates_are_effective_dated_parameters(db):
    rules.ensure_defaults(db, SYSTEM)
    assert rules.iof_rates(db, date(2025, 1, 1)) == (Decimal("0.0082"), Decimal("0.38"))
    rules.add_version(db, SYSTEM, "iof_flat_pct", Decimal("0.95"), date(2026, 1, 1), "Novo decreto")
    assert rules.iof_rates(db, date(2025, 12, 31)) == (Decimal("0.0082"), Decimal("0.38"))
    assert rules.iof_rates(db, date(2026, 1, 1)) == (Decimal("0.0082"), Decimal("0.95"))
    assert rules.format_value("iof_daily_pct", Decimal("0.0082")) == "0,0082% ao dia"
