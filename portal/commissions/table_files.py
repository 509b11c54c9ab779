"""A bank table's file out of the database: a version is exported in the table template's
layout, so export → import (the import hub's "commission-table" kind, `table_kind`) gives
the same rows."""

from __future__ import annotations

from collections.abc import Iterator

from portal.commissions import tables
from portal.commissions.layouts import TABLE_COLUMNS, table_row_cells
from portal.commissions.models import TableVersion


def export_cells(version: TableVersion) -> tuple[tuple[str, ...], Iterator[list[str]]]:
    """The layout's header and one list of cells per row, in line order."""
    return TABLE_COLUMNS, (table_row_cells(row) for row in tables.version_rows(version))
