"""Brazilian identifiers: CPF, CNPJ, CEP and phone numbers.

Conventions used by every helper here:

* ``normalize_*`` strips punctuation and returns the canonical stored form (digits only;
  CNPJ keeps upper-case letters for the alphanumeric CNPJ introduced by the Receita
  Federal in 2026). Normalising never validates, except for phones, where the canonical
  form depends on the number being valid.
* ``is_valid_*`` checks length and check digits and rejects the all-same-digit numbers
  (``111.111.111-11``) that pass the arithmetic but are never issued.
* ``format_*`` / ``mask_*`` are for display. Values that cannot be formatted are returned
  unchanged by ``format_*``; ``mask_*`` never reveals more than the tail of a bad value.
* ``generate_cpf`` / ``generate_cnpj`` produce valid random numbers for demo data and
  benchmarks; they are written to be cheap enough for millions of calls.
"""

from __future__ import annotations

import random
import re
from functools import cache

__all__ = [
    "VALID_DDDS",
    "format_cep",
    "format_cnpj",
    "format_cpf",
    "format_phone",
    "generate_cnpj",
    "generate_cpf",
    "is_valid_cep",
    "is_valid_cnpj",
    "is_valid_cpf",
    "is_valid_phone",
    "mask_cnpj",
    "mask_cpf",
    "mask_phone",
    "mask_tail",
    "normalize_cep",
    "normalize_cnpj",
    "normalize_cpf",
    "normalize_phone",
]

_NON_DIGITS = re.compile(r"[^0-9]+")  # ASCII only: "５" or "²" are not digits here
# What a person may type around the digits of a CPF/CEP/phone; anything else is invalid.
_NUMBER_PUNCTUATION = re.compile(r"[0-9 .\-/()+]*")
# Invisible control characters: never part of a name or address a person typed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}[0-9]{2}")

_CPF_WEIGHTS_1 = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CPF_WEIGHTS_2 = (11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)

#: Area codes (DDD) in use in Brazil (Anatel numbering plan).
VALID_DDDS: frozenset[str] = frozenset(
    str(code)
    for code in (
        *range(11, 20),
        21, 22, 24, 27, 28,
        31, 32, 33, 34, 35, 37, 38,
        *range(41, 50),
        51, 53, 54, 55,
        *range(61, 70),
        71, 73, 74, 75, 77, 79,
        *range(81, 90),
        *range(91, 100),
    )
)  # fmt: skip


def _digits(value: str | int | None) -> str:
    if value is None:
        return ""
    return _NON_DIGITS.sub("", str(value))


def _only_number_punctuation(value: str | int | None) -> bool:
    """Letters or other symbols mixed into a number make it invalid, not silently dropped."""
    if value is None or isinstance(value, int):
        return True
    return _NUMBER_PUNCTUATION.fullmatch(str(value).strip()) is not None


def _weighted_sum(values: list[int] | tuple[int, ...], weights: tuple[int, ...]) -> int:
    return sum(v * w for v, w in zip(values, weights, strict=True))


# --------------------------------------------------------------------------- CPF


def _cpf_check_digits(base: list[int]) -> tuple[int, int]:
    first = _weighted_sum(base, _CPF_WEIGHTS_1) * 10 % 11 % 10
    second = (_weighted_sum(base, _CPF_WEIGHTS_2[:-1]) + first * 2) * 10 % 11 % 10
    return first, second


def normalize_cpf(value: str | int | None, *, pad: bool = False) -> str:
    """Digits only. ``pad=True`` restores leading zeros lost by spreadsheets (9–10 digits)."""
    digits = _digits(value)
    if pad and 0 < len(digits) < 11:
        digits = digits.zfill(11)
    return digits


def is_valid_cpf(value: str | int | None) -> bool:
    """True for an 11-digit CPF with correct check digits (punctuation allowed)."""
    if not _only_number_punctuation(value):
        return False
    digits = normalize_cpf(value)
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    numbers = [int(c) for c in digits]
    return _cpf_check_digits(numbers[:9]) == (numbers[9], numbers[10])


def format_cpf(value: str | int | None) -> str:
    """``12345678909`` → ``123.456.789-09``; other lengths are returned unchanged."""
    digits = normalize_cpf(value)
    if len(digits) != 11:
        return "" if value is None else str(value)
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def mask_cpf(value: str | int | None) -> str:
    """``12345678909`` → ``***.456.789-**`` (the LGPD display form)."""
    digits = normalize_cpf(value)
    if len(digits) != 11:
        return mask_tail(digits)
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


@cache
def _chunk_tables(weights: tuple[int, ...]) -> list[list[int]]:
    """Weighted digit sums of every 3-digit chunk at each position (speeds generation);
    built on first use, not at import (every process imports this module, few generate)."""
    return [
        [sum(int(c) * w for c, w in zip(f"{n:03d}", weights[i : i + 3], strict=True)) for n in range(1000)]
        for i in range(0, len(weights), 3)
    ]


def generate_cpf(rng: random.Random | None = None) -> str:
    """A random valid CPF (digits only), never one of the all-same-digit numbers."""
    rng = rng or random.Random()  # noqa: S311 - demo data, not secrets
    base = rng.randrange(1_000_000_000)
    while base % 111_111_111 == 0:  # 000000000, 111111111, ... 999999999
        base = rng.randrange(1_000_000_000)
    high, rest = divmod(base, 1_000_000)
    mid, low = divmod(rest, 1000)
    t1, t2 = _chunk_tables(_CPF_WEIGHTS_1), _chunk_tables(_CPF_WEIGHTS_2[:-1])
    first = (t1[0][high] + t1[1][mid] + t1[2][low]) * 10 % 11 % 10
    second = (t2[0][high] + t2[1][mid] + t2[2][low] + first * 2) * 10 % 11 % 10
    return f"{base:09d}{first}{second}"


# -------------------------------------------------------------------------- CNPJ


def _cnpj_values(chars: str) -> list[int]:
    # Official rule (also for the alphanumeric CNPJ): value = ASCII code - 48.
    return [ord(c) - 48 for c in chars]


def _cnpj_check_digits(base: list[int]) -> tuple[int, int]:
    rest = _weighted_sum(base, _CNPJ_WEIGHTS_1) % 11
    first = 0 if rest < 2 else 11 - rest
    rest = (_weighted_sum(base, _CNPJ_WEIGHTS_2[:-1]) + first * 2) % 11
    second = 0 if rest < 2 else 11 - rest
    return first, second


def normalize_cnpj(value: str | int | None, *, pad: bool = False) -> str:
    """Digits (and upper-case letters, for alphanumeric CNPJs) without punctuation."""
    if value is None:
        return ""
    chars = _NON_ALNUM.sub("", str(value)).upper()
    if pad and chars.isdigit() and 0 < len(chars) < 14:
        chars = chars.zfill(14)
    return chars


def is_valid_cnpj(value: str | int | None) -> bool:
    """True for a 14-character CNPJ with correct check digits (punctuation allowed)."""
    chars = normalize_cnpj(value)
    if not _CNPJ_SHAPE.fullmatch(chars) or chars == chars[0] * 14:
        return False
    values = _cnpj_values(chars)
    return _cnpj_check_digits(values[:12]) == (values[12], values[13])


def format_cnpj(value: str | int | None) -> str:
    """``12345678000190`` → ``12.345.678/0001-90``; other lengths are returned unchanged."""
    chars = normalize_cnpj(value)
    if len(chars) != 14:
        return "" if value is None else str(value)
    return f"{chars[:2]}.{chars[2:5]}.{chars[5:8]}/{chars[8:12]}-{chars[12:]}"


def mask_cnpj(value: str | int | None) -> str:
    """``12345678000190`` → ``**.345.678/0001-**``."""
    chars = normalize_cnpj(value)
    if len(chars) != 14:
        return mask_tail(chars)
    return f"**.{chars[2:5]}.{chars[5:8]}/{chars[8:12]}-**"


def generate_cnpj(rng: random.Random | None = None, *, branch: int = 1) -> str:
    """A random valid numeric CNPJ (digits only); ``branch`` is the ``/0001`` part."""
    if not 0 < branch < 10_000:
        raise ValueError("Número da filial do CNPJ deve estar entre 1 e 9999.")
    rng = rng or random.Random()  # noqa: S311 - demo data, not secrets
    root = rng.randrange(100_000_000)
    while root % 11_111_111 == 0:  # 00000000, 11111111, ... 99999999
        root = rng.randrange(100_000_000)
    chunks = (root // 100_000, root // 100 % 1000, root % 100 * 10 + branch // 1000, branch % 1000)
    tables_1, tables_2 = _chunk_tables(_CNPJ_WEIGHTS_1), _chunk_tables(_CNPJ_WEIGHTS_2[:-1])
    rest = sum(table[c] for table, c in zip(tables_1, chunks, strict=True)) % 11
    first = 0 if rest < 2 else 11 - rest
    total = sum(table[c] for table, c in zip(tables_2, chunks, strict=True)) + first * 2
    rest = total % 11
    second = 0 if rest < 2 else 11 - rest
    return f"{root:08d}{branch:04d}{first}{second}"


# --------------------------------------------------------------------------- CEP


def normalize_cep(value: str | int | None) -> str:
    """Digits only; restores the leading zero that spreadsheets drop (``1310100``)."""
    digits = _digits(value)
    if len(digits) == 7:
        digits = "0" + digits
    return digits


def is_valid_cep(value: str | int | None) -> bool:
    """Eight digits, not all zeros."""
    if not _only_number_punctuation(value):
        return False
    digits = normalize_cep(value)
    return len(digits) == 8 and digits != "00000000"


def format_cep(value: str | int | None) -> str:
    """``01310100`` → ``01310-100``; other lengths are returned unchanged."""
    digits = normalize_cep(value)
    if len(digits) != 8:
        return "" if value is None else str(value)
    return f"{digits[:5]}-{digits[5:]}"


# ------------------------------------------------------------------------ Phones


def _phone_digits(value: str | int | None) -> str:
    digits = _digits(value)
    # International prefix (+55) and the long-distance trunk prefix: 0 + DDD + number,
    # or 0 + two-digit carrier code + DDD + number.
    if len(digits) in (12, 13) and digits.startswith("55"):
        digits = digits[2:]
    elif digits.startswith("0"):
        if len(digits) in (11, 12):
            digits = digits[1:]
        elif len(digits) in (13, 14):
            digits = digits[3:]
    return digits


def normalize_phone(value: str | int | None) -> str:
    """Canonical phone: DDD + number, 10 digits (landline) or 11 (mobile, ``9`` first).

    Accepts punctuation, ``+55`` and the ``0`` trunk prefix. Raises ``ValueError`` with a
    Portuguese message when the number is not a valid Brazilian phone.
    """
    if not _only_number_punctuation(value):
        raise ValueError("Telefone inválido: use apenas números, espaços, parênteses, + e -.")
    digits = _phone_digits(value)
    if len(digits) not in (10, 11):
        raise ValueError("Telefone inválido: informe DDD e número, com 10 ou 11 dígitos.")
    if digits[:2] not in VALID_DDDS:
        raise ValueError(f"Telefone inválido: DDD {digits[:2]} não existe.")
    first = digits[2]
    if len(digits) == 11 and first != "9":
        raise ValueError("Celular inválido: o número deve começar com 9 depois do DDD.")
    if len(digits) == 10 and first not in "2345":
        raise ValueError("Telefone inválido: celular precisa do nono dígito (9).")
    return digits


def is_valid_phone(value: str | int | None) -> bool:
    """True when :func:`normalize_phone` accepts the value."""
    try:
        normalize_phone(value)
    except ValueError:
        return False
    return True


def format_phone(value: str | int | None) -> str:
    """``11912345678`` → ``(11) 91234-5678``; invalid numbers are returned unchanged."""
    try:
        digits = normalize_phone(value)
    except ValueError:
        return "" if value is None else str(value)
    return f"({digits[:2]}) {digits[2:-4]}-{digits[-4:]}"


def mask_phone(value: str | int | None) -> str:
    """``11912345678`` → ``(11) *****-5678``."""
    try:
        digits = normalize_phone(value)
    except ValueError:
        return mask_tail(_digits(value))
    return f"({digits[:2]}) {'*' * (len(digits) - 6)}-{digits[-4:]}"


# ------------------------------------------------------------------------ Generic


def mask_tail(value: str | int | None, visible: int = 4) -> str:
    """Hide every letter/digit except the last ``visible`` ones; punctuation is kept.

    Used for benefit numbers and bank accounts (``12345-6`` → ``***45-6``). At least
    half of the characters are always hidden, so short values are never fully revealed.
    """
    if value is None:
        return ""
    text = str(value)
    total = sum(1 for c in text if c.isalnum())
    shown = max(0, min(visible, total // 2))
    hide = total - shown
    out: list[str] = []
    for char in text:
        if char.isalnum() and hide > 0:
            out.append("*")
            hide -= 1
        else:
            out.append(char)
    return "".join(out)


# The 27 federative units (UF) of addresses.
BRAZILIAN_STATES = frozenset(
    [
        "AC",
        "AL",
        "AP",
        "AM",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MT",
        "MS",
        "MG",
        "PA",
        "PB",
        "PR",
        "PE",
        "PI",
        "RJ",
        "RN",
        "RS",
        "RO",
        "RR",
        "SC",
        "SP",
        "SE",
        "TO",
    ]
)
