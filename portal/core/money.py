"""Exact money and rates: ``Decimal`` in Python, integer centavos in the database.

Parsing accepts what Brazilian users and bank files write (``R$ 1.234,56``,
``(1.234,56)``, ``1.234,56-``); formatting produces ``R$ 1.234,56`` only at the edge.
:func:`split_largest_remainder` divides an amount so that the parts always add up to
the whole, centavo by centavo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction

from portal.core import formats

__all__ = [
    "CENT",
    "format_brl",
    "format_decimal_br",
    "format_percent",
    "from_cents",
    "parse_brl",
    "parse_decimal_br",
    "split_largest_remainder",
    "to_cents",
]

CENT = Decimal("0.01")

_CURRENCY = re.compile(r"R\$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = re.compile(r"\d[\d.,]*|[.,]\d+")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, bool | float):
        raise TypeError("Use Decimal, int ou texto para valores monetários (nunca float).")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"Valor inválido: {value!r}.") from exc
    else:
        raise TypeError(f"Tipo de valor não suportado: {type(value).__name__}.")
    if not number.is_finite():
        raise ValueError("Valor inválido: use um número finito.")
    return number


def to_cents(value: Decimal | int | str, *, rounding: bool = False) -> int:
    """Reais → integer centavos, exactly.

    More than two decimal places raise ``ValueError`` unless ``rounding=True``, in which
    case the value is rounded half-to-even (banker's rounding).
    """
    scaled = _to_decimal(value).scaleb(2)
    integral = scaled.to_integral_value(rounding=ROUND_HALF_EVEN)
    if integral != scaled and not rounding:
        raise ValueError(f"Valor com mais de duas casas decimais: {value}.")
    return int(integral)


def from_cents(cents: int) -> Decimal:
    """Integer centavos → ``Decimal`` with exactly two places (``123`` → ``1.23``)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError("Centavos devem ser um número inteiro.")
    return Decimal(cents).scaleb(-2).quantize(CENT)


# ------------------------------------------------------------------- parsing


def _parse_number(text: str, *, allow_percent: bool) -> Decimal:
    """Shared Brazilian number parser; returns the exact decimal written."""
    if not isinstance(text, str):
        raise TypeError("Informe o valor como texto.")
    raw = text
    body = _SPACES.sub("", _CURRENCY.sub("", text))
    if allow_percent and body.endswith("%"):
        body = body[:-1]
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body.startswith(("-", "+")):
        negative, body = negative ^ (body[0] == "-"), body[1:]
    elif body.endswith("-"):  # "1.234,56-" as printed by bank reports
        negative, body = not negative, body[:-1]
    if not body or not _NUMBER.fullmatch(body):
        raise ValueError(_invalid(raw))
    normalized = _normalize_separators(body, raw)
    number = Decimal(normalized)
    return -number if negative else number


def _invalid(raw: str) -> str:
    shown = raw.strip()
    if not shown:
        return "Informe um valor."
    return f"Valor inválido: “{shown[:40]}”. Use o formato 1.234,56."


def _normalize_separators(body: str, raw: str) -> str:
    """Return ``body`` with '.' as the decimal point and no grouping."""
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        integer, _, fraction = body.rpartition(decimal_sep)
        if decimal_sep in integer or not _GROUPED.fullmatch(integer) or group_sep not in integer:
            raise ValueError(_invalid(raw))
        if not fraction.isdigit():
            raise ValueError(_invalid(raw))
        return integer.replace(group_sep, "") + "." + fraction
    if has_comma:
        if body.count(",") > 1:
            raise ValueError(_invalid(raw))
        integer, _, fraction = body.partition(",")
        if not fraction.isdigit():
            raise ValueError(_invalid(raw))
        return (integer or "0") + "." + fraction
    if has_dot:
        parts = body.split(".")
        # "1.234" and "1.234.567" are Brazilian thousands; "0.500", "1234.5" are decimals.
        if _GROUPED.fullmatch(body) and not body.startswith("0"):
            return "".join(parts)
        if len(parts) == 2 and parts[1].isdigit():
            return (parts[0] or "0") + "." + parts[1]
        raise ValueError(_invalid(raw))
    return body


def parse_brl(text: str) -> Decimal:
    """Parse a money amount written the Brazilian way; returns a 2-place ``Decimal``.

    Accepts ``R$ 1.234,56``, ``1234,56``, ``1.234`` (thousands), ``-12,5``,
    ``(1.234,56)`` and ``1.234,56-`` (negative) and ``1234.56`` when unambiguous.
    """
    number = _parse_number(text, allow_percent=False)
    try:
        rounded = number.quantize(CENT)
    except InvalidOperation as exc:
        raise ValueError(_invalid(text)) from exc
    if rounded != number:
        raise ValueError(f"Valor com mais de duas casas decimais: “{text.strip()[:40]}”.")
    return rounded


def parse_decimal_br(text: str) -> Decimal:
    """Parse a rate or quantity (``"1,85"`` → ``Decimal("1.85")``; ``%`` is ignored)."""
    return _parse_number(text, allow_percent=True)


# ---------------------------------------------------------------- formatting


def format_decimal_br(value: Decimal | int, places: int = 2, *, grouping: bool = True) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50"`` (half-even rounding to ``places``)."""
    return formats.number(_to_decimal(value), places, grouping=grouping)


def format_brl(value: Decimal | int) -> str:
    """``Decimal("-1234.56")`` → ``"-R$ 1.234,56"``."""
    return formats.money(_to_decimal(value))


def format_percent(value: Decimal | int, places: int = 2) -> str:
    """``Decimal("1.85")`` → ``"1,85%"`` (the value is already in percent units)."""
    return format_decimal_br(value, places) + "%"


# ------------------------------------------------------------------ splitting


def split_largest_remainder(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in centavos proportionally to ``weights``; parts sum to ``total``.

    Hamilton / largest-remainder method: every part gets the floor of its exact quota,
    and the centavos left over go to the largest remainders (ties: lowest index first).
    Negative totals are split as the mirror image of the positive split. Zero weights get
    zero; negative weights and all-zero weights raise ``ValueError``.
    """
    cents = to_cents(total)
    if not weights:
        raise ValueError("Informe ao menos um peso para a divisão.")
    fractions = [Fraction(_to_decimal(w)) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValueError("Os pesos da divisão não podem ser negativos.")
    weight_sum = sum(fractions, Fraction(0))
    if weight_sum == 0:
        raise ValueError("A soma dos pesos da divisão não pode ser zero.")
    sign = -1 if cents < 0 else 1
    amount = abs(cents)
    quotas = [amount * w / weight_sum for w in fractions]
    parts = [q.numerator // q.denominator for q in quotas]
    leftover = amount - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for index in order[:leftover]:
        parts[index] += 1
    return [from_cents(sign * p) for p in parts]
