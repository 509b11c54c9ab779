"""Declarative base, naming convention and the exact column types every domain uses.

Money is stored as integer centavos and Rate as an integer number of millionths of a
percentage point, so sums and comparisons are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, func, type_coerce
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model; one metadata for the whole portal."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Execution option asking SQLite to begin the transaction with the write lock (BEGIN
# IMMEDIATE): set by code that is about to write (job steps), honoured by the engine's
# "begin" hook in portal.extensions; other databases ignore it.
WRITE_INTENT = "athenas_write_intent"


def utcnow() -> datetime:
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamp that is always aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


CENTS = Decimal("0.01")


class Money(TypeDecorator):
    """Exact money: `Decimal` reais in Python, integer centavos in the database.

    Only `Decimal` is accepted. A bare `int` is ambiguous (reais or centavos?) and a
    `float` is already inexact, so both are refused rather than guessed: callers convert
    with `Decimal(...)` or `portal.core.money.from_cents` at the edge.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(
                f"valor monetário deve ser Decimal, não {type(value).__name__}: {value!r}"
            )
        if not value.is_finite():
            raise ValueError(f"valor monetário inválido: {value}")
        cents = value * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"valor com mais de duas casas decimais: {value}")
        return int(cents)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-2)  # exact, two places (like quantize(CENTS))


RATE_SCALE = 1_000_000


class Rate(TypeDecorator):
    """Exact percentage (e.g. Decimal('1.85') = 1,85%) kept as millionths of a point."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"taxa deve ser Decimal, não {type(value).__name__}: {value!r}")
        scaled = Decimal(value) * RATE_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"taxa com mais de seis casas decimais: {value}")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / RATE_SCALE).normalize()


def money_sum(column: Any) -> ColumnElement[Decimal]:
    """SUM of a Money column (or expression) that comes back as Decimal reais (0 when empty).

    Summed as plain centavos: Money binds only Decimal, so the 0 of COALESCE must not be
    bound through it."""
    return type_coerce(func.coalesce(func.sum(type_coerce(column, BigInteger)), 0), Money())


@contextmanager
def unit_of_work(new_session: Callable[[], Session]) -> Iterator[Session]:
    """One session from `new_session`, committed once at the end or rolled back on error
    (the commit rule of CLI commands, the scheduler and the worker)."""
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
