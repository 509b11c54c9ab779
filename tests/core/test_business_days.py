"""Brazilian business days: hand-picked dates (holidays from the official calendars).

The legal calendar (national holidays) is the default; `banking=True` adds the optional days
off the banks close on (Carnival, Corpus Christi)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.business_days import (
    add_business_days,
    business_days_between,
    easter,
    first_business_day,
    holidays,
    is_business_day,
    is_first_business_day,
)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter_sunday(year, expected):
    assert easter(year) == expected


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 1, date(2026, 1, 2)),  # 1 Jan holiday (Thursday) → Friday 2nd
        (2026, 2, date(2026, 2, 2)),  # 1 Feb is a Sunday → Monday 2nd
        (2026, 3, date(2026, 3, 2)),  # 1 Mar is a Sunday
        (2026, 5, date(2026, 5, 4)),  # 1 May holiday (Friday) + weekend → Monday 4th
        (2026, 6, date(2026, 6, 1)),  # an ordinary Monday
        (2025, 11, date(2025, 11, 3)),  # 1 Nov Saturday, 2 Nov (Finados) Sunday → Monday 3rd
        (2027, 1, date(2027, 1, 4)),  # 1 Jan Friday holiday, then the weekend
        (2026, 8, date(2026, 8, 3)),  # 1 Aug is a Saturday
    ],
)
def test_first_business_day(year, month, expected):
    assert first_business_day(year, month) == expected
    assert is_first_business_day(expected)


def test_movable_and_fixed_holidays_are_not_bank_business_days():
    assert not is_business_day(date(2026, 2, 16), banking=True)  # Carnival Monday 2026
    assert not is_business_day(date(2026, 2, 17), banking=True)  # Carnival Tuesday 2026
    assert is_business_day(date(2026, 2, 16))  # … an optional day off, not a legal holiday
    assert not is_business_day(date(2026, 4, 3))  # Good Friday 2026
    assert not is_business_day(date(2026, 6, 4), banking=True)  # Corpus Christi 2026
    assert not is_business_day(date(2026, 4, 21))  # Tiradentes (Tuesday)
    assert not is_business_day(date(2025, 11, 20))  # Consciência Negra, national since 2024
    assert is_business_day(date(2023, 11, 20))  # … but not before (a Monday)
    assert not is_business_day(date(2026, 6, 6))  # a Saturday
    assert is_business_day(date(2026, 2, 18))  # Ash Wednesday: banks open


def test_a_day_after_the_first_business_day_is_not_the_first():
    assert not is_first_business_day(date(2026, 1, 1))  # holiday
    assert not is_first_business_day(date(2026, 1, 5))  # second business day
    assert not is_first_business_day(date(2026, 2, 1))  # Sunday


def test_add_business_days_skips_weekends_and_holidays():
    # Thursday 2 Apr 2026 + 3 business days: skips Good Friday and the weekend.
    assert add_business_days(date(2026, 4, 2), 3) == date(2026, 4, 8)
    assert add_business_days(date(2026, 4, 2), 0) == date(2026, 4, 2)


def test_national_holidays_of_2026():
    days = holidays(2026)
    assert date(2026, 4, 3) in days  # Sexta-feira da Paixão (Easter 05/04 − 2)
    assert date(2026, 4, 21) in days and date(2026, 11, 20) in days and date(2026, 12, 25) in days
    assert date(2026, 2, 16) not in days  # Carnival is an optional day off, not a national holiday
    assert {date(2026, 2, 16), date(2026, 2, 17), date(2026, 6, 4)} <= holidays(2026, with_optional=True)
    assert len(days) == 10


def test_black_consciousness_day_is_national_from_2024():
    assert is_business_day(date(2023, 11, 20))  # a Monday, before Lei 14.759/2023
    assert not is_business_day(date(2024, 11, 20))


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 4, 1), date(2026, 4, 7)),  # Wed → Thu 02, (Good Friday, weekend), Mon 06, Tue 07
        (date(2026, 11, 19), date(2026, 11, 25)),  # Thu → (Fri 20 holiday, weekend) Mon, Tue, Wed
        (date(2026, 12, 23), date(2026, 12, 29)),  # Wed → Thu 24, (Christmas, weekend) Mon 28, Tue 29
        (date(2026, 3, 7), date(2026, 3, 11)),  # Saturday → Mon 09, Tue 10, Wed 11
    ],
)
def test_three_business_days_after(start, expected):
    assert add_business_days(start, 3) == expected


def test_business_days_between():
    assert business_days_between(date(2026, 4, 1), date(2026, 4, 7)) == 3
    assert business_days_between(date(2026, 4, 3), date(2026, 4, 7)) == 2
    assert business_days_between(date(2026, 4, 7), date(2026, 4, 1)) == -3
    assert business_days_between(date(2026, 4, 7), date(2026, 4, 7)) == 0
