"""Whole numbers from untrusted text (query strings, form fields, ids).

`str.isdigit()` accepts "²" and "５", which `int()` then rejects or reads differently, and
an unbounded id overflows the database's 64-bit integers: both used to become 500s.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


def parse_int(value: object, *, max_value: int = MAX_ID) -> int | None:
    """A non-negative ASCII integer not above `max_value`, or None."""
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= max_value else None
