"""Brazilian business days: weekdays that are not national holidays.

National holidays (Lei 662/1949, 6.802/1980, 14.759/2023) plus the movable days every bank
closes on: Carnival Monday and Tuesday and Good Friday (Easter − 48, − 47, − 2) and Corpus
Christi (Easter + 60). Local (state and city) holidays are not known here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIXED_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "Confraternização Universal"),
    (4, 21, "Tiradentes"),
    (5, 1, "Dia do Trabalho"),
    (9, 7, "Independência do Brasil"),
    (10, 12, "Nossa Senhora Aparecida"),
    (11, 2, "Finados"),
    (11, 15, "Proclamação da República"),
    (11, 20, "Dia Nacional de Zumbi e da Consciência Negra"),
    (12, 25, "Natal"),
)
# Black Consciousness Day became a national holiday in 2024 (Lei 14.759/2023).
_SINCE = {(11, 20): 2024}
EASTER_OFFSETS: tuple[tuple[int, str], ...] = (
    (-48, "Carnaval (segunda-feira)"),
    (-47, "Carnaval (terça-feira)"),
    (-2, "Sexta-feira Santa"),
    (60, "Corpus Christi"),
)


def easter(year: int) -> date:
    """Easter Sunday of `year` (Gregorian calendar, anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, str]:
    """Every national holiday of `year`, date → name."""
    out = {
        date(year, month, day): name
        for month, day, name in FIXED_HOLIDAYS
        if year >= _SINCE.get((month, day), 0)
    }
    sunday = easter(year)
    for offset, name in EASTER_OFFSETS:
        out.setdefault(sunday + timedelta(days=offset), name)
    return out


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a national holiday."""
    return day.weekday() < 5 and day not in holidays(day.year)


def first_business_day(year: int, month: int) -> date:
    """The first business day of the month."""
    day = date(year, month, 1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def is_first_business_day(day: date) -> bool:
    return day == first_business_day(day.year, day.month)


def add_business_days(day: date, count: int) -> date:
    """`count` business days after `day` (count ≥ 0; 0 → the day itself)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
