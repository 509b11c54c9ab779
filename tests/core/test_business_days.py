"""Brazilian business days: hand-picked dates (holidays from the official calendars)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.business_days import (
    add_business_days,
    easter,
    first_business_day,
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


def test_movable_and_fixed_holidays_are_not_business_days():
    assert not is_business_day(date(2026, 2, 16))  # Carnival Monday 2026
    assert not is_business_day(date(2026, 2, 17))  # Carnival Tuesday 2026
    assert not is_business_day(date(2026, 4, 3))  # Good Friday 2026
    assert not is_business_day(date(2026, 6, 4))  # Corpus Christi 2026
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
