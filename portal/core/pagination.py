"""Keyset ("seek") pagination: stable pages without OFFSET scans on big tables."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from portal.core.ints import MAX_ID

T = TypeVar("T")
MAX_TEXT = 1000  # longer than any text column a list is ordered by


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """Decode a cursor; a tampered or garbled one simply restarts at the first page."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


def _cursor_values(order_columns: list[Any], values: list[Any] | None) -> list[Any] | None:
    """The cursor's values when each one fits its column (a whole number for an integer
    column, text for a text column), else None: a tampered cursor (`[null]`, objects,
    numbers beyond 64 bits) restarts at the first page instead of reaching the database."""
    if values is None or len(values) != len(order_columns):
        return None
    for column, value in zip(order_columns, values, strict=True):
        try:
            expected = column.type.python_type
        except NotImplementedError:
            return None
        if expected is int:
            if type(value) is not int or not -MAX_ID - 1 <= value <= MAX_ID:
                return None
        elif expected is str:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                return None
        else:  # no list orders by another type today; refuse rather than guess
            return None
    return values


def _after(columns: list[Any], values: list[Any], descending: bool) -> Any:
    """Row-value comparison `(a, b) > (x, y)` spelled portably."""
    clauses = []
    for i, column in enumerate(columns):
        equal_prefix = [columns[j] == values[j] for j in range(i)]
        step = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal_prefix, step))
    return or_(*clauses)


def keyset_page(
    session: Session,
    stmt: Select,
    order_columns: list[Any],
    cursor: str | None,
    per_page: int = 50,
    descending: bool = False,
    key: Any = None,
    rows: bool = False,
) -> Page:
    """Fetch one page of `stmt` ordered by `order_columns` (last one must be unique).

    Items are the first entity of each result row, or whole rows with `rows=True` (a
    column select). `key(item)` returns the values of the order columns for an item; by
    default the attribute of the same name on the item.
    """
    values = _cursor_values(order_columns, decode_cursor(cursor))
    if values is not None:
        stmt = stmt.where(_after(order_columns, values, descending))
    ordering = [c.desc() if descending else c.asc() for c in order_columns]
    result = session.execute(stmt.order_by(*ordering).limit(per_page + 1))
    items = list(result if rows else result.scalars())
    has_more = len(items) > per_page
    items = items[:per_page]
    next_cursor = None
    if has_more and items:
        get = key or (lambda item: [getattr(item, c.key) for c in order_columns])
        next_cursor = encode_cursor(list(get(items[-1])))
    return Page(items=items, next_cursor=next_cursor)
