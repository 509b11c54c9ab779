"""Header rows: find it, fingerprint it, propose a mapping from aliases, compare it with a
saved layout (what a quarantined file shows)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from typing import Any

from portal.core.imports.kinds import Kind
from portal.core.imports.values import text
from portal.core.spreadsheets import normalize_header
from portal.core.spreadsheets.readers import is_numeric

HEADER_SCAN_ROWS = 50


def cells_text(cells: Sequence[Any]) -> list[str]:
    """Header cells as text, trailing empty cells dropped."""
    shown = [text(c) for c in cells]
    while shown and not shown[-1]:
        shown.pop()
    return shown


def fingerprint(header: Sequence[str]) -> str:
    """Same columns in the same order (ignoring case, accents, spacing) → same fingerprint."""
    normalized = "\x1f".join(normalize_header(h) for h in header)
    return hashlib.sha256(normalized.encode()).hexdigest()


def field_aliases(kind: Kind, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The aliases of each field: the kind's defaults plus the configured ones."""
    merged: dict[str, list[str]] = {}
    for f in kind.fields:
        names = [*(extra or {}).get(f.key, []), *f.aliases, f.label]
        merged[f.key] = list(dict.fromkeys(n for n in names if n.strip()))
    return merged


def propose_mapping(header: Sequence[str], aliases: dict[str, list[str]]) -> dict[str, str]:
    """field → header cell, for every field whose alias names a column (first alias wins)."""
    by_key = {normalize_header(h): h for h in header if h}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for key, names in aliases.items():
        for name in names:
            found = by_key.get(normalize_header(name))
            if found is not None and found not in taken:
                mapping[key] = found
                taken.add(found)
                break
    return mapping


def find_header(
    rows: Sequence[tuple[int, list[Any]]], fingerprints: Iterable[str], aliases: dict[str, list[str]]
) -> int | None:
    """Index in `rows` of the header: a row with a known fingerprint, else the row naming the
    most aliases (two at least), else the first row made mostly of text."""
    known = set(fingerprints)
    texts = [cells_text(cells) for _, cells in rows]
    for index, cells in enumerate(texts):
        if cells and fingerprint(cells) in known:
            return index
    names = {normalize_header(n) for names in aliases.values() for n in names}
    scored = [(sum(1 for c in cells if normalize_header(c) in names), -i) for i, cells in enumerate(texts)]
    best = max(scored, default=(0, 0))
    if best[0] >= 2:
        return -best[1]
    filled_rows = [(i, [c for c in cells if c]) for i, cells in enumerate(texts)]
    filled_rows = [(i, f) for i, f in filled_rows if f]
    if not filled_rows:
        return None
    width = max(len(f) for _, f in filled_rows)
    threshold = max(min(2, width), math.ceil(width * 0.5))
    for i, filled in filled_rows:
        words = [c for c in filled if not is_numeric(c)]
        if len(words) >= threshold and len(words) >= 0.8 * len(filled):
            return i
    return filled_rows[0][0]


def differences(layout_header: Sequence[str], header: Sequence[str]) -> dict[str, list[str]]:
    """Columns the saved layout has and the file lacks, and the file's new ones."""
    saved = {normalize_header(h): h for h in layout_header if h}
    now = {normalize_header(h): h for h in header if h}
    missing = [h for k, h in saved.items() if k not in now]
    added = [h for k, h in now.items() if k not in saved]
    moved = []
    if not missing and not added:
        moved = [
            h
            for h, s in zip(header, layout_header, strict=False)
            if normalize_header(h) != normalize_header(s)
        ]
    return {"missing": missing, "added": added, "moved": moved}


_TOTAL_WORDS = ("total", "totais", "soma", "subtotal", "sub total")


def is_total_row(cells: Sequence[Any]) -> bool:
    """A "Total"/"Soma" line a bank adds at the bottom (or per group)."""
    for cell in cells[:3]:
        if isinstance(cell, str) and cell.strip():
            first = cell.lstrip()[0]
            if first.isascii() and first.isalnum() and first not in "tTsS":
                return False  # cheap answer for the usual line (a contract number, a name)
            label = normalize_header(cell)
            return label.startswith(_TOTAL_WORDS)
    return False
