"""Cell values of an imported file → typed Python values, or `RowError` in Portuguese.

Cells arrive as whatever the reader gives: text (CSV, HTML), or numbers, dates and text
(XLSX via python-calamine). Money is read the Brazilian way (`1.234,56`, `(1.234,56)`,
`1.234,56-`, `R$ 1.234,56`), dates as `dd/mm/aaaa`, `aaaa-mm-dd` or Excel serial
numbers, CPFs with or without mask.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.core.documents import is_valid_cpf, normalize_cpf
from portal.core.money import parse_brl

CENT = Decimal("0.01")
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
_SERIAL = re.compile(r"^\d{4,5}(?:[.,]0+)?$")
_BR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s.*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T\s].*)?$")
_INT = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")


class RowError(ValueError):
    """One line of the file cannot be used; `message` is shown next to its line number."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(value: Any) -> str:
    """A cell as stripped text (numbers without a spurious `.0`)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _shown(value: Any) -> str:
    return text(value)[:40]


def money(value: Any, label: str) -> Decimal:
    """A money cell: number cells as they are, text the Brazilian way."""
    if isinstance(value, bool):
        raise RowError(f"{label} inválido: “{_shown(value)}”.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value)).quantize(CENT)
        except InvalidOperation:
            raise RowError(f"{label} inválido: “{_shown(value)}”.") from None
    raw = text(value)
    if not raw:
        raise RowError(f"{label} em branco.")
    if raw.startswith("="):
        raise RowError(f"{label} com fórmula não é aceito: “{raw[:40]}”.")
    try:
        return parse_brl(raw)
    except ValueError:
        raise RowError(f"{label} inválido: “{raw[:40]}” não é um valor em reais.") from None


def optional_money(value: Any, label: str) -> Decimal | None:
    """`None` for a blank cell (empty or only spaces), else `money`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return money(value, label)


def serial_date(serial: float) -> date:
    """Excel's serial day number (1900 system) → date."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


def day(value: Any, label: str) -> date:
    """A date cell: a real date, an Excel serial, `dd/mm/aaaa` (or `dd/mm/aa`), `aaaa-mm-dd`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 31/12/9999
            return serial_date(float(value))
        raise RowError(f"{label} inválida: “{_shown(value)}”.")
    raw = text(value)
    if not raw:
        raise RowError(f"{label} em branco.")
    try:
        if match := _BR_DATE.match(raw):
            d, m, y = (int(g) for g in match.groups())
            return date(y + 2000 if y < 100 else y, m, d)
        if match := _ISO_DATE.match(raw):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
        if _SERIAL.match(raw):
            return serial_date(float(raw.replace(",", ".")))
    except ValueError:
        pass
    raise RowError(f"{label} inválida: “{raw[:40]}” (use dd/mm/aaaa).")


def optional_int(value: Any, label: str) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise RowError(f"{label} inválido: “{_shown(value)}”.")
    raw = text(value)
    if not raw:
        return None
    if not _INT.match(raw):
        raise RowError(f"{label} inválido: “{raw[:40]}” não é um número inteiro.")
    return int(re.split(r"[.,]", raw)[0])


def cpf(value: Any, label: str = "CPF") -> str:
    """11 digits, with or without mask (`123.456.789-09`); leading zeros lost by Excel restored."""
    digits = normalize_cpf(text(value), pad=True)
    if not is_valid_cpf(digits):
        raise RowError(f"{label} inválido: “{_shown(value)}”.")
    return digits
