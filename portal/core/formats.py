"""The one set of pt-BR formats (Babel), used by pages, PDFs and exports alike.

Dates and times are shown in America/Sao_Paulo; money as "R$ 1.654,17" (a plain space:
pages and PDFs keep it with its number through CSS `white-space: nowrap`).

Fixed-place numbers and money take a direct path that gives Babel's exact output about
twenty times faster (the commission engine formats millions of them in a recalculation);
anything unusual (not finite, more digits than the decimal context) still goes to Babel.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "pt_BR"
TIMEZONE = ZoneInfo("America/Sao_Paulo")
_NBSP = "\xa0"


def number(value: Decimal | int | float, places: int = 2, *, grouping: bool = True) -> str:
    """``Decimal("1654.17")`` → ``"1.654,17"`` (exactly `places` decimals)."""
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
    exact = _exact(value)
    if exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN) == 0:
        exact = abs(exact)  # no "-0,00"
    fast = _fixed(exact, places, grouping)
    return fast if fast is not None else format_decimal(exact, format=pattern, locale=LOCALE)


def compact_number(value: Decimal | int | float, max_places: int = 1) -> str:
    """Up to `max_places` decimals, none when whole: 3 → "3", 2.5 → "2,5"."""
    return format_decimal(_exact(value), format="#,##0." + "#" * max_places, locale=LOCALE)


def money(value: Decimal | int) -> str:
    """``Decimal("-1234.56")`` → ``"-R$ 1.234,56"``."""
    exact = _exact(value)
    if exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == 0:
        exact = abs(exact)  # no "-R$ 0,00"
    fast = _fixed(exact, 2, True)
    if fast is not None:
        return "-R$ " + fast[1:] if fast[0] == "-" else "R$ " + fast
    return format_currency(exact, "BRL", locale=LOCALE).replace(_NBSP, " ")


def percent(value: Decimal | int, places: int = 2) -> str:
    """The value is already in percent units: ``Decimal("1.85")`` → ``"1,85%"``."""
    return number(value, places) + "%"


def seconds(value: Decimal | int | float) -> str:
    """A duration: 3.0 → "3 s", 2.5 → "2,5 s"."""
    return compact_number(value) + " s"


def file_size(size: int) -> str:
    """Bytes for people: 512 → "512 bytes", 1229 → "1,2 KB", 3_500_000 → "3,3 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return compact_number(Decimal(size) / 1024) + " KB"
    return compact_number(Decimal(size) / (1024 * 1024)) + " MB"


def local_datetime(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE)


def date_time(value: datetime, seconds: bool = False) -> str:
    """A moment in São Paulo time: "02/01/2025 00:04" (a naive moment is UTC, as Babel
    takes it). Written out: Babel's pattern machinery cost most of a timeline's time."""
    local = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(TIMEZONE)
    text = f"{local.day:02d}/{local.month:02d}/{local.year:04d} {local.hour:02d}:{local.minute:02d}"
    return f"{text}:{local.second:02d}" if seconds else text


def day(value: date | datetime) -> str:
    """A day ("02/01/2025"); a moment is first taken to São Paulo time."""
    if isinstance(value, datetime):
        value = local_datetime(value).date()
    return format_date(value, "dd/MM/yyyy", locale=LOCALE)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def _fixed(value: Decimal, places: int, grouping: bool) -> str | None:
    """``Decimal("-1234.5")``, 2 → ``"-1.234,50"`` the way Babel writes it (rounded half
    even to `places`, "." between thousands, "," before decimals), or None when Babel
    must decide (not finite, more digits than the context, unusual `places`)."""
    quantum = _QUANTA.get(places)
    if quantum is None or not value.is_finite():
        return None
    try:
        rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None
    if rounded != value and len(value.as_tuple().digits) > 28:
        return None  # Babel first rounds to the context's 28 digits: let it round twice
    text = f"{rounded:f}"
    sign = "-" if text[0] == "-" else ""
    integer, _, fraction = text.lstrip("-").partition(".")
    if grouping and len(integer) > 3:
        integer = f"{int(integer):,}".replace(",", ".")
    return sign + integer + ("," + fraction if places else "")


def _exact(value: Decimal | int | float) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
