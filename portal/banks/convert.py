"""Small converters shared by adapters: bank numbers, dates and required fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from portal.banks.errors import MalformedResponse

CENT = Decimal("0.01")


def malformed(bank: str, bank_name: str) -> MalformedResponse:
    """The standard error for an answer missing what we need."""
    return MalformedResponse(f"Resposta inválida do banco {bank_name}, tente em instantes", bank)


def to_decimal(value: Any, bank: str, bank_name: str) -> Decimal:
    """Read ``12.5``, ``"1234.56"`` or ``"1.234,56"`` (Brazilian) as an exact Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise malformed(bank, bank_name)
    if isinstance(value, int):
        return Decimal(value)
    text = str(value).strip().replace("R$", "").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise malformed(bank, bank_name) from None


def money(value: Any, bank: str, bank_name: str) -> Decimal:
    """A bank amount rounded to centavos."""
    return to_decimal(value, bank, bank_name).quantize(CENT, rounding=ROUND_HALF_UP)


def br_decimal(value: Decimal) -> str:
    """Format for banks that want decimal commas: ``Decimal("1234.5")`` -> ``"1234,50"``."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def need(data: Any, key: str, bank: str, bank_name: str) -> Any:
    """`data[key]`, or `MalformedResponse` when data is not an object or lacks the key."""
    if not isinstance(data, Mapping) or data.get(key) is None:
        raise malformed(bank, bank_name)
    return data[key]


def need_list(data: Any, key: str, bank: str, bank_name: str) -> list[Any]:
    """`data[key]` when it is a JSON array, else `MalformedResponse`."""
    value = need(data, key, bank, bank_name)
    if not isinstance(value, list):
        raise malformed(bank, bank_name)
    return value


def need_text(data: Any, key: str, bank: str, bank_name: str) -> str:
    """`data[key]` as text when it is a JSON string or whole number (a proposal number, a
    status word); objects, arrays, booleans and empty text are `MalformedResponse`."""
    value = need(data, key, bank, bank_name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise malformed(bank, bank_name)
    text = str(value).strip()
    if not text or "\x00" in text:  # no database keeps a NUL in text
        raise malformed(bank, bank_name)
    return text


def free_text(value: Any) -> str:
    """A bank's free-text note (may be absent), without NUL characters."""
    return str(value or "").replace("\x00", "")


def parse_datetime(value: Any, bank: str, bank_name: str, tz: tzinfo = UTC) -> datetime:
    """Read ISO-8601 or ``dd/mm/aaaa HH:MM[:SS]``; naive values are taken in `tz`."""
    text = str(value or "").strip()
    parsed: datetime | None = None
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise malformed(bank, bank_name) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
