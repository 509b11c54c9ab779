"""Bulk writes for large batches: PostgreSQL `COPY … FROM STDIN` of rows given as dicts.

A month's recalculation appends hundreds of thousands of ledger rows; COPY streams them
in one statement per page, with none of the per-row SQL a multi-row INSERT still parses.
Values go through each column's own type first (Money → centavos, Rate → millionths,
UTCDateTime → UTC), so what COPY writes is exactly what an INSERT would bind.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

# COPY's text format: tab-separated, \N for NULL, backslash escapes for these characters.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


def can_copy(session: Session) -> bool:
    """COPY needs PostgreSQL through psycopg2 (its `copy_expert`); else use INSERT."""
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg2"


def _text(value: Any) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # int, Decimal


def _converter(column: Any, dialect: Any) -> Callable[[Any], str]:
    """The column's value → COPY text, through the column type's own bind conversion.

    Remembers the last value: batch-wide ones (batch, author, moment, period) and runs of
    equal ones are converted once."""
    kind = column.type
    bind = kind.process_bind_param if isinstance(kind, TypeDecorator) else None
    last: list[Any] = [object(), ""]

    def convert(value: Any) -> str:
        if value is last[0]:
            return last[1]
        text = _text(bind(value, dialect) if bind is not None else value)
        last[0], last[1] = value, text
        return text

    return convert


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], page: int = 50_000) -> None:
    """COPY `rows` into `table` in pages, inside the session's transaction.

    Every row must have the same keys (the columns written); missing server defaults are
    not applied, so callers give every column they need."""
    if not rows:
        return
    session.flush()  # pending ORM changes first, like an INSERT through the session would
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    converters = [_converter(table.c[name], dialect) for name in names]
    pairs = list(zip(names, converters, strict=True))
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(rows), page):
            buffer = io.StringIO()
            buffer.writelines(
                "\t".join([convert(row[name]) for name, convert in pairs]) + "\n"
                for row in rows[start : start + page]
            )
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()
