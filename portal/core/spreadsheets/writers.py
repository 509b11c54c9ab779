"""Spreadsheet exports that stream: :func:`iter_csv` yields byte chunks for a streamed HTTP
response and :func:`write_xlsx` uses openpyxl's write-only mode, so exporting a large
filtered list never holds the whole sheet in memory. Types are kept: ``Decimal`` becomes a
number formatted as money, dates become real dates shown ``dd/mm/aaaa``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, overload
from zoneinfo import ZoneInfo

from portal.core.spreadsheets.common import StrPath

# Control characters XLSX cannot hold (the same pattern as openpyxl's
# ILLEGAL_CHARACTERS_RE; openpyxl itself is imported only when a workbook is written).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

MONEY_FORMAT = '"R$" #,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = '#,##0.00"%"'  # values already in percent units (1.85 → 1,85%)
INTEGER_FORMAT = "0"

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _local_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return _local_naive(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    # Neutralise spreadsheet formulas typed by users ("CSV injection").
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def iter_csv(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    chunk_rows: int = 1000,
    delimiter: str = ";",
) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (BOM, ``;``, decimal comma) in chunks of ``chunk_rows`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([_csv_text(h) for h in headers])
    pending = 0
    first = True
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
        pending += 1
        if pending >= chunk_rows:
            chunk = buffer.getvalue().encode("utf-8")
            yield (b"\xef\xbb\xbf" + chunk) if first else chunk
            first = False
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    chunk = buffer.getvalue().encode("utf-8")
    if chunk or first:
        yield (b"\xef\xbb\xbf" + chunk) if first else chunk


def _sheet_title(title: str) -> str:
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip().strip("'")[:31]
    return cleaned or "Dados"


def _xlsx_value(ws: Any, cell_type: Any, value: Any, number_format: str | None) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if text.startswith("="):  # keep as literal text, never a formula
            cell = cell_type(ws, value=text)
            cell.data_type = "s"
            return cell
        return text
    fmt: str | None
    if isinstance(value, datetime):
        value, fmt = _local_naive(value), DATETIME_FORMAT
    elif isinstance(value, date):
        fmt = DATE_FORMAT
    elif isinstance(value, Decimal):
        fmt = MONEY_FORMAT
    elif isinstance(value, int):
        if abs(value) >= 10**15:  # beyond Excel's 15-digit precision
            return str(value)
        fmt = None
    elif isinstance(value, float | time):
        fmt = None
    else:
        return ILLEGAL_CHARACTERS_RE.sub("", str(value))
    fmt = number_format or fmt
    if fmt is None:
        return value
    cell = cell_type(ws, value=value)
    cell.number_format = fmt
    return cell


def xlsx_cell(ws: Any, value: Any, number_format: str | None = None) -> Any:
    """One value for a write-only sheet, typed like `write_xlsx` does (``Decimal`` →
    money, dates → ``dd/mm/aaaa``); text is always text, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    return _xlsx_value(ws, WriteOnlyCell, value, number_format)


def formula_cell(ws: Any, formula: str, number_format: str | None = None, *, bold: bool = True) -> Any:
    """A real formula (``=SUM(C2:C4)``) written by the code itself, never from user text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if not formula.startswith("="):
        raise ValueError("a formula starts with '='")
    cell = WriteOnlyCell(ws, value=formula)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def bold_cell(ws: Any, value: Any) -> Any:
    """A bold text cell (headers, total labels); illegal characters removed, never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
    cell.font = Font(bold=True)
    return cell


def _write_workbook(
    target: StrPath | io.BytesIO,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str,
    formats: Mapping[str, str] | None,
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(50, len(header) + 4))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(header)))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    column_formats = [(formats or {}).get(h) for h in headers]
    width = len(column_formats)
    for row in rows:
        ws.append(
            [
                _xlsx_value(ws, WriteOnlyCell, value, column_formats[i] if i < width else None)
                for i, value in enumerate(row)
            ]
        )
    wb.save(target)


@overload
def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = ...,
    *,
    path: None = None,
    formats: Mapping[str, str] | None = None,
) -> bytes: ...


@overload
def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = ...,
    *,
    path: StrPath,
    formats: Mapping[str, str] | None = None,
) -> None: ...


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Dados",
    *,
    path: StrPath | None = None,
    formats: Mapping[str, str] | None = None,
) -> bytes | None:
    """Write one sheet; return its bytes, or save to ``path`` and return ``None``.

    ``Decimal`` → money number (``"R$" #,##0.00``), ``date`` → ``dd/mm/yyyy``,
    ``datetime`` → local time ``dd/mm/yyyy hh:mm``. ``formats`` overrides the number
    format per header (e.g. ``{"Taxa": PERCENT_FORMAT}`` for rates).
    """
    if path is not None:
        _write_workbook(path, headers, rows, sheet_title, formats)
        return None
    buffer = io.BytesIO()
    _write_workbook(buffer, headers, rows, sheet_title, formats)
    return buffer.getvalue()
