"""Brazilian business days: weekends and national holidays (Easter-based included)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.business_days import (
    add_business_days,
    business_days_between,
    easter,
    holidays,
    is_business_day,
)


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
    ],
)
def test_easter_sunday(year, sunday):
    assert easter(year) == sunday


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
