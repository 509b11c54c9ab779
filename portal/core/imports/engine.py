"""The import engine without a database: a file → sheet → header → mapping → typed rows.

`analyse` reads only the top of the sheet (header detection, layout match); `records`
streams the rest, yielding each line's record or the reason it cannot be used.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.core.errors import DomainError
from portal.core.imports.headers import (
    HEADER_SCAN_ROWS,
    cells_text,
    differences,
    field_aliases,
    find_header,
    fingerprint,
    is_total_row,
    propose_mapping,
)
from portal.core.imports.kinds import Kind, Record
from portal.core.imports.sources import Source
from portal.core.imports.values import RowError, text
from portal.core.spreadsheets import normalize_header

ONE_COLUMN = (
    "O arquivo tem uma coluna só: as colunas devem ser separadas por ; (ponto e vírgula), "
    ", (vírgula), tabulação ou |."
)


@dataclass(frozen=True)
class SavedLayout:
    """What the engine needs of a saved layout (the ORM row stays in the service)."""

    id: int
    name: str
    header: list[str]
    fingerprint: str
    mapping: dict[str, str]
    aliases: dict[str, list[str]]


@dataclass
class Analysis:
    format: str
    sheets: list[str]
    sheet: str
    header_line: int
    headers: list[str]
    fingerprint: str
    layout: SavedLayout | None = None  # the saved layout whose header this file has
    nearest: SavedLayout | None = None  # else the closest one (quarantine)
    differences: dict[str, list[str]] = field(default_factory=dict)
    proposed: dict[str, str] = field(default_factory=dict)
    standard: bool = False  # the kind's own template (no saved layout needed)

    @property
    def status(self) -> str:
        if self.layout is not None or self.standard:
            return "ready"
        return "quarantined" if self.nearest is not None else "mapping"


def analyse(kind: Kind, source: Source, sheet: str | None, layouts: Sequence[SavedLayout]) -> Analysis:
    """Find the header (first 50 non-blank rows) and match it to a saved layout."""
    chosen = source.sheets[source.sheet_index(sheet)]
    head: list[tuple[int, list[Any]]] = []
    for number, cells in source.rows(chosen):
        if any(text(c) for c in cells):
            head.append((number, cells))
            if len(head) >= HEADER_SCAN_ROWS:
                break
    if not head:
        raise DomainError("Nenhuma linha com dados foi encontrada no arquivo.", field="file")
    extra: dict[str, list[str]] = {}
    for layout in layouts:
        for key, names in layout.aliases.items():
            extra.setdefault(key, []).extend(names)
    aliases = field_aliases(kind, extra)
    index = find_header(head, [saved.fingerprint for saved in layouts], aliases)
    if index is None:
        raise DomainError("Cabeçalho não encontrado no arquivo.", field="file")
    line, cells = head[index]
    headers = cells_text(cells)
    if len([h for h in headers if h]) < 2:
        raise DomainError(ONE_COLUMN, field="file")
    if not any(any(text(c) for c in row) for _, row in head[index + 1 :]) and not _has_more(
        source, chosen, line, len(head) >= HEADER_SCAN_ROWS
    ):
        raise DomainError("A planilha não tem linhas de dados (só o cabeçalho).", field="file")
    found = fingerprint(headers)
    analysis = Analysis(source.format, list(source.sheets), chosen, line, headers, found)
    analysis.layout = next((s for s in layouts if s.fingerprint == found), None)
    if analysis.layout is not None:
        analysis.proposed = _resolve(analysis.layout.mapping, headers)
        return analysis
    analysis.proposed = propose_mapping(headers, aliases)
    if kind.standard_layout:
        builtin = propose_mapping(headers, field_aliases(kind))
        if not kind.mapping_problems(builtin):
            analysis.proposed, analysis.standard = builtin, True
            return analysis
    if layouts:
        analysis.nearest = max(layouts, key=lambda s: _overlap(s.header, headers))
        analysis.differences = differences(analysis.nearest.header, headers)
    return analysis


def _has_more(source: Source, sheet: str, header_line: int, truncated: bool) -> bool:
    if not truncated:
        return False
    rows = (cells for number, cells in source.rows(sheet) if number > header_line)
    return any(any(text(c) for c in cells) for cells in itertools.islice(rows, 10_000))


def _overlap(saved: Sequence[str], header: Sequence[str]) -> int:
    return len({normalize_header(h) for h in saved} & {normalize_header(h) for h in header})


def _resolve(mapping: dict[str, str], headers: Sequence[str]) -> dict[str, str]:
    present = {normalize_header(h): h for h in headers}
    return {k: present[normalize_header(v)] for k, v in mapping.items() if normalize_header(v) in present}


def records(
    kind: Kind, source: Source, analysis: Analysis, mapping: dict[str, str], bank_code: str
) -> Iterator[tuple[int, Record | None, str | None]]:
    """(line, record, None) or (line, None, reason) for every data line after the header;
    blank lines and total lines are left out."""
    positions = {normalize_header(h): i for i, h in enumerate(analysis.headers)}
    columns = [(key, positions[normalize_header(h)]) for key, h in mapping.items() if h]
    keys = [key for key, _ in columns]
    indexes = [i for _, i in columns]
    needed = max(indexes, default=-1) + 1
    pick = operator.itemgetter(*indexes) if len(indexes) > 1 else None
    convert = kind.convert
    header_line = analysis.header_line
    for number, cells in source.rows(analysis.sheet):
        if number <= header_line:
            continue
        if pick is not None and len(cells) >= needed:
            picked = pick(cells)
        else:
            width = len(cells)
            picked = tuple(cells[i] if i < width else None for i in indexes)
        if picked.count(None) + picked.count("") == len(picked) or is_total_row(cells):
            continue
        try:
            yield number, convert(dict(zip(keys, picked, strict=True)), bank_code), None
        except RowError as error:
            yield number, None, error.message
