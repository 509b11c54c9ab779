"""Brazilian business days: weekdays that are not national holidays.

National holidays (Lei 662/1949, Lei 6.802/1980, Lei 14.759/2023 and the Good Friday of the
Easter calendar): 01/01, Good Friday, 21/04, 01/05, 07/09, 12/10, 02/11, 15/11, 20/11 (from
2024) and 25/12. Carnival (Monday and Tuesday) and Corpus Christi are optional days off
("ponto facultativo"), not national holidays, but banks close on them: `banking=True` follows
the banks' calendar (used to pick the first business day of a month for finance), the default
the legal one (used for legal deadlines such as the LGPD incident clock, where counting an
optional day off would push a deadline later than the law allows). State and city holidays
are out of scope. Self-contained: no database, no I/O.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIXED = ((1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (11, 20), (12, 25))
# 20/11 (Dia Nacional de Zumbi e da Consciência Negra) is national from 2024 on.
BLACK_CONSCIOUSNESS_SINCE = 2024
# Days after Easter Sunday of the optional days off banks close on.
BANK_CLOSURES = (-48, -47, 60)  # Carnival Monday and Tuesday, Corpus Christi


def easter(year: int) -> date:
    """Easter Sunday of `year` (Gregorian calendar; anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=128)
def holidays(year: int, with_optional: bool = False) -> frozenset[date]:
    """The national holidays of `year` (plus Carnival and Corpus Christi when asked)."""
    days = {
        date(year, month, day)
        for month, day in FIXED
        if (month, day) != (11, 20) or year >= BLACK_CONSCIOUSNESS_SINCE
    }
    sunday = easter(year)
    days.add(sunday - timedelta(days=2))  # Sexta-feira da Paixão
    if with_optional:
        days |= {sunday + timedelta(days=offset) for offset in BANK_CLOSURES}
    return frozenset(days)


def is_business_day(day: date, banking: bool = False) -> bool:
    """Monday to Friday and not a holiday (of the banks' calendar when `banking`)."""
    return day.weekday() < 5 and day not in holidays(day.year, with_optional=banking)


def add_business_days(start: date, count: int, banking: bool = False) -> date:
    """The `count`-th business day after `start` (`start` itself not counted; 0 → `start`)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day, banking):
            count -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (negative when `end` < `start`)."""
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))


def first_business_day(year: int, month: int) -> date:
    """The first day of the month the banks are open."""
    day = date(year, month, 1)
    while not is_business_day(day, banking=True):
        day += timedelta(days=1)
    return day


def is_first_business_day(day: date) -> bool:
    return day == first_business_day(day.year, day.month)
