"""Cell parsers of the commission file layouts, and the error list they fill.

Every parser raises ``ValueError`` with a Portuguese message; :class:`Record` catches
it, notes ``linha N, coluna: mensagem`` in :class:`RowErrors` and returns ``None``, so a
file is checked to the end and every bad cell is reported at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from portal.core.errors import DomainError
from portal.core.money import parse_brl, parse_decimal_br
from portal.core.spreadsheets import normalize_header

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

MAX_REPORTED = 200  # errors kept in memory; the rest are only counted

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_INT = re.compile(r"\d+")
_EMAIL = re.compile(r"[^@\s;]+@[^@\s;]+\.[^@\s;]+")


class LayoutError(DomainError):
    """A file was refused: ``errors`` lists ``(line, message)``; nothing was imported."""

    def __init__(self, errors: list[tuple[int, str]], more: int = 0, name: str = "") -> None:
        self.errors = errors
        self.more = more
        shown = "\n".join(f"Linha {line}: {message}" for line, message in errors)
        extra = f"\n… e mais {more} erro(s)." if more else ""
        where = f"{name}: " if name else ""
        total = len(errors) + more
        super().__init__(f"{where}arquivo recusado, {total} erro(s):\n{shown}{extra}")


class RowErrors:
    """Collects every error of a file, keeping the first :data:`MAX_REPORTED`."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.errors: list[tuple[int, str]] = []
        self.more = 0

    def add(self, line: int, message: str) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append((line, message))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: e[0])
            raise LayoutError(self.errors, self.more, self.name)


class Record:
    """One data row: ``take(column, parser)`` returns the value or notes the error."""

    def __init__(self, line: int, cells: Mapping[str, str], errors: RowErrors) -> None:
        self.line = line
        self.cells = cells
        self.errors = errors
        self.ok = True

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def take(self, column: str, parser: Callable[[str], T]) -> T | None:
        try:
            return parser(self.text(column))
        except ValueError as exc:
            self.fail(f"{column}: {exc}")
            return None

    def fail(self, message: str) -> None:
        self.ok = False
        self.errors.add(self.line, message)


# ------------------------------------------------------------------- parsers


def required(text: str) -> str:
    if not text:
        raise ValueError("campo obrigatório vazio.")
    return text


def parse_date(text: str) -> date:
    """``dd/mm/aaaa`` only; refuses impossible dates such as 31/02/2026."""
    match = _DATE.fullmatch(required(text))
    if not match:
        raise ValueError(f"data inválida “{text[:20]}”: use dd/mm/aaaa.")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"data inexistente “{text}”.") from None


def optional_date(text: str) -> date | None:
    return parse_date(text) if text else None


def parse_int(text: str) -> int:
    if not _INT.fullmatch(required(text)):
        raise ValueError(f"número inteiro inválido “{text[:20]}”.")
    return int(text)


def _non_negative(value: Decimal, what: str) -> Decimal:
    if value < 0:
        raise ValueError(f"{what} negativo ({text_of(value)}) não é permitido.")
    return value


def text_of(value: Decimal) -> str:
    """Exact decimal in pt-BR without grouping: ``Decimal("6.125")`` → ``"6,125"``."""
    return format(value, "f").replace(".", ",")


def parse_percent(text: str) -> Decimal:
    """A percentage in percent units (``6,00`` = 6 %), 0 to 100."""
    value = _non_negative(parse_decimal_br(required(text)), "percentual")
    if value > 100:
        raise ValueError(f"percentual acima de 100% ({text}).")
    return value


def parse_rate(text: str) -> Decimal:
    return _non_negative(parse_decimal_br(required(text)), "taxa")


def parse_money(text: str) -> Decimal:
    return _non_negative(parse_brl(required(text)), "valor")


def optional_money(text: str) -> Decimal:
    return parse_money(text) if text else Decimal("0.00")


def parse_email(text: str) -> str:
    if not _EMAIL.fullmatch(required(text)):
        raise ValueError(f"e-mail inválido “{text[:60]}”.")
    return text.casefold()


def choice(enum: type[E]) -> Callable[[str], E]:
    """Parser of one of ``enum``'s values (case- and accent-insensitive)."""
    by_key = {normalize_header(m.value): m for m in enum}

    def parse(text: str) -> E:
        member = by_key.get(normalize_header(required(text)))
        if member is None:
            allowed = "|".join(m.value for m in enum)
            raise ValueError(f"valor “{text[:30]}” inválido: use {allowed}.")
        return member

    return parse


def bank_code(banks: Collection[str]) -> Callable[[str], str]:
    known = {b.casefold() for b in banks}

    def parse(text: str) -> str:
        code = required(text).casefold()
        if code not in known:
            raise ValueError(f"banco desconhecido “{text[:30]}”: use {', '.join(sorted(known))}.")
        return code

    return parse


@functools.cache
def _products() -> dict[str, str]:
    from portal.proposals.models import PRODUCT_LABELS

    keys = {normalize_header(p.value): p.value for p in PRODUCT_LABELS}
    keys |= {normalize_header(label): p.value for p, label in PRODUCT_LABELS.items()}
    return keys


def product_code(text: str) -> str:
    """The app's product code from its code or Portuguese label, ignoring case and accents."""
    code = _products().get(normalize_header(required(text)))
    if code is None:
        raise ValueError(f"produto desconhecido “{text[:40]}”.")
    return code
