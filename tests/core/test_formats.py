"""The pt-BR formats shared by pages, PDFs and exports (expected values written by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from portal.core import formats


def test_money_and_numbers():
    assert formats.money(Decimal("1654.17")) == "R$ 1.654,17"
    assert formats.money(Decimal("-1234.56")) == "-R$ 1.234,56"
    assert formats.money(Decimal("-0.001")) == "R$ 0,00"
    assert formats.number(Decimal("1654.17")) == "1.654,17"
    assert formats.number(Decimal("1234.5"), 2, grouping=False) == "1234,50"
    assert formats.percent(Decimal("1.85")) == "1,85%"


def test_durations_and_file_sizes():
    assert formats.seconds(3.0) == "3 s"
    assert formats.seconds(2.5) == "2,5 s"
    assert formats.seconds(15) == "15 s"
    assert formats.file_size(50) == "50 bytes"
    assert formats.file_size(1229) == "1,2 KB"
    assert formats.file_size(3_500_000) == "3,3 MB"


def test_moments_are_shown_in_sao_paulo_time():
    moment = datetime(2025, 1, 2, 2, 30, tzinfo=UTC)  # 23:30 of the 1st in São Paulo
    assert formats.date_time(moment) == "01/01/2025 23:30"
    assert formats.day(moment) == "01/01/2025"
    assert formats.day(date(2025, 3, 9)) == "09/03/2025"


def test_fast_numbers_and_money_write_what_babel_writes():
    """The direct path of `number` and `money` must give Babel's exact text (half even,
    grouping, signs), so pages and files did not change when it replaced Babel there."""
    from babel.numbers import format_currency, format_decimal
    from hypothesis import given
    from hypothesis import strategies as st

    assert formats.number(Decimal("1234567.895")) == "1.234.567,90"  # half even: ,895 → ,90
    assert formats.number(Decimal("0.125")) == "0,12"
    assert formats.number(Decimal("-999.999"), 2) == "-1.000,00"
    assert formats.number(Decimal("12345"), 0) == "12.345"
    assert formats.money(Decimal("-0.50")) == "-R$ 0,50"
    assert formats.money(5) == "R$ 5,00"

    @given(
        st.decimals(min_value=-(10**20), max_value=10**20, allow_nan=False, allow_infinity=False)
        | st.decimals(min_value=-(10**15), max_value=10**15, places=3, allow_nan=False),
        st.integers(min_value=0, max_value=6),
        st.booleans(),
    )
    def same(value: Decimal, places: int, grouping: bool) -> None:
        exact = abs(value) if value.quantize(Decimal(1).scaleb(-places)) == 0 else value
        pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
        assert formats.number(value, places, grouping=grouping) == format_decimal(
            exact, format=pattern, locale="pt_BR"
        )
        if places == 2 and grouping:
            assert formats.money(value) == format_currency(exact, "BRL", locale="pt_BR").replace("\xa0", " ")

    same()
