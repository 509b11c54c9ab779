"""Bank-file imports (XLSX, CSV, HTML-as-.xls): :func:`read_table` turns whatever a bank
sends into a :class:`Table`: it detects the real format from the bytes (not the extension),
finds the header row even when it is not the first one, drops blank and trailing total rows
and records the SHA-256 of the raw file (used to make imports idempotent). Numbers come back
as text with a decimal comma (``"1234,56"``); convert them with :func:`parse_br_number` /
``money.parse_brl``. :func:`iter_rows` streams a large file row by row instead."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from portal.core.errors import DomainError
from portal.core.money import parse_decimal_br
from portal.core.spreadsheets.common import StrPath
from portal.core.text import fold

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 10_000
HEADER_SCAN_ROWS = 50

#: Parse a Brazilian-formatted number read from a :class:`Table` (``"1.234,56"``).
parse_br_number = parse_decimal_br

_XLSX_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CSV_DELIMITERS = (";", ",", "\t", "|")
_NUMERIC_CELL = re.compile(r"^\(?[-+]?\s*(R\$)?\s*[-+]?[\d.,]*\d[\d.,]*\s*%?\)?-?$", re.IGNORECASE)
_TOTAL_LABEL = re.compile(r"^(sub ?)?(total|totais|soma)( |$)")
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


@dataclass(slots=True)
class Table:
    """Rows of an imported file keyed by header; every value is stripped text."""

    headers: list[str]
    rows: list[dict[str, str]]
    sha256: str
    source_format: str = ""
    header_row: int = 0  # 1-based row of the header in the file (sheet / CSV record)
    row_numbers: list[int] = field(default_factory=list)  # file row of each entry in rows

    def column(self, *candidates: str) -> str | None:
        """The first header matching any candidate, ignoring case, accents and spacing."""
        by_key = {normalize_header(h): h for h in self.headers}
        for candidate in candidates:
            found = by_key.get(normalize_header(candidate))
            if found is not None:
                return found
        return None


def normalize_header(text: str) -> str:
    """``"  Nº  Contrato "`` → ``"no contrato"``: case-, accent- and punctuation-free."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


_RawRow = tuple[int, list[str]]  # (1-based row number in the file, cell texts)


def read_table(
    source: StrPath | bytes,
    filename: str | None = None,
    *,
    expected_columns: Sequence[str] = (),
    min_matches: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Table:
    """Read the first table of a bank file (XLSX, CSV or HTML saved as .xls).

    With ``expected_columns`` the header is the first row holding at least
    ``min_matches`` of them (default: 2, or 1 when only one is given); otherwise it is the
    first row made mostly of non-empty text cells. Raises :class:`DomainError` with a
    Portuguese message for files that cannot be read.
    """
    data = _load_bytes(source, max_bytes)
    if not filename and not isinstance(source, bytes):
        filename = Path(source).name
    digest = hashlib.sha256(data).hexdigest()
    fmt, candidates = _candidates(data, filename or "")
    expected = [normalize_header(c) for c in expected_columns if normalize_header(c)]
    needed = min_matches if min_matches is not None else min(2, len(expected))
    found_rows = False
    for raw_rows in candidates:
        if all(_is_blank(cells) for _, cells in raw_rows):
            continue
        found_rows = True
        table = _build_table(raw_rows, expected, needed, digest, fmt)
        if table is not None:
            return table
    if not found_rows:
        raise DomainError("Nenhuma linha com dados foi encontrada no arquivo.")
    raise DomainError(
        "Cabeçalho não encontrado: o arquivo deveria ter as colunas "
        + ", ".join(expected_columns)
        + "."
    )


def _load_bytes(source: StrPath | bytes, max_bytes: int) -> bytes:
    limit_mb = max_bytes / (1024 * 1024)
    too_big = DomainError(f"Arquivo muito grande (limite de {limit_mb:.0f} MB).")
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            if path.stat().st_size > max_bytes:
                raise too_big
            data = path.read_bytes()
        except OSError as exc:
            raise DomainError(f"Não foi possível ler o arquivo {path.name}.") from exc
    if len(data) > max_bytes:
        raise too_big
    if not data.strip():
        raise DomainError("O arquivo está vazio.")
    return data


def _candidates(data: bytes, filename: str) -> tuple[str, Iterator[list[_RawRow]]]:
    if data.startswith(_OLE2_MAGIC):
        raise DomainError("Formato .xls antigo não suportado; salve como .xlsx.")
    if data.startswith(_XLSX_MAGIC):
        check_xlsx_container(data)
        return "xlsx", _xlsx_sheets(data)
    text = decode_text(data)
    head = text[:4096].lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096].lower():
        raise DomainError("Formato XML do Excel 2003 não suportado; salve como .xlsx.")
    if head.startswith("<") or re.search(r"<table[\s>]", head):
        tables = html_tables(text)
        if not tables:
            raise DomainError("O arquivo HTML não contém nenhuma tabela.")
        return "html", iter(tables)
    if "\x00" in text[:4096]:
        name = f" {filename}" if filename else ""
        raise DomainError(f"Formato do arquivo{name} não reconhecido; envie .xlsx ou .csv.")
    return "csv", iter([_csv_rows(text)])


# ------------------------------------------------------------------- xlsx


def check_xlsx_container(data: bytes | StrPath) -> list[str]:
    """Refuse zip bombs before openpyxl inflates anything; returns the member names.

    The sizes come from the zip directory; ``zipfile`` never inflates a member beyond
    its declared size, so a lying header cannot get past this check either.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DomainError("Planilha .xlsx inválida ou corrompida.") from exc
    refused = DomainError("Planilha recusada: conteúdo compactado suspeito (possível zip bomb).")
    if len(infos) > MAX_ZIP_ENTRIES:
        raise refused
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise refused
    if total > 1024 * 1024 and total > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise refused
    for info in infos:
        big = info.file_size > 1024 * 1024
        if big and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise refused
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise DomainError("O arquivo compactado não é uma planilha .xlsx.")
    return [i.filename for i in infos]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return " ".join(str(value).split())


def _xlsx_sheets(data: bytes) -> Iterator[list[_RawRow]]:
    from openpyxl import load_workbook  # imported here: loading it costs every process ~0.2 s

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DomainError("Planilha .xlsx inválida ou corrompida.") from exc
    try:
        sheets = list(wb.worksheets)
        active = wb.active
        if active in sheets:
            sheets.remove(active)
            sheets.insert(0, active)
        for ws in sheets:
            rows = [
                (number, [_cell_text(v) for v in values])
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
            yield rows
    finally:
        wb.close()


# ------------------------------------------------------------------ streaming


def iter_rows(source: StrPath) -> Iterator[_RawRow]:
    """Stream an XLSX (first sheet) or CSV file row by row, in constant memory.

    For files too large for :func:`read_table` (the commission calculator's contracts):
    yields ``(row number, cell texts)`` for every row, blank ones included, with no
    header detection. CSV: UTF-8 (BOM or not) or Latin-1/cp1252, delimiter sniffed.
    """
    path = Path(source)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise DomainError(f"Não foi possível ler o arquivo {path.name}.") from exc
    if head.startswith(_OLE2_MAGIC):
        raise DomainError("Formato .xls antigo não suportado; salve como .xlsx.")
    if head.startswith(_XLSX_MAGIC):
        check_xlsx_container(path)
        yield from _xlsx_stream(path)
    else:
        yield from csv_stream(path, file_encoding(path))


def _xlsx_stream(path: Path) -> Iterator[_RawRow]:
    from openpyxl import load_workbook  # imported here: loading it costs every process ~0.2 s

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DomainError("Planilha .xlsx inválida ou corrompida.") from exc
    try:
        for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        wb.close()


def file_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file decodes as UTF-8 (checked chunk by chunk), else cp1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def csv_stream(path: Path, encoding: str) -> Iterator[_RawRow]:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        head = list(itertools.islice(handle, 100))
        delimiter: str | None = None
        if head and head[0].lower().startswith("sep=") and len(head[0].strip()) == 5:
            delimiter = head.pop(0).strip()[4]  # Excel's "sep=;" hint line
        if delimiter is None:
            delimiter = _sniff_delimiter([line.rstrip("\r\n") for line in head])
        reader = csv.reader(itertools.chain(head, handle), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            yield number, [" ".join(c.split()) for c in record]


# -------------------------------------------------------------------- text


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel "CSV (separado por vírgulas)"


def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ";", -1
    for delimiter in _CSV_DELIMITERS:
        counts = [
            len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)
        ]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=lambda c: (multi.count(c), c))
        score = counts.count(mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str) -> list[_RawRow]:
    lines = text.splitlines()
    delimiter: str | None = None
    if lines and lines[0].lower().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]  # Excel's "sep=;" hint line
        text = text.split("\n", 1)[1] if "\n" in text else ""
        lines = lines[1:]
    if delimiter is None:
        delimiter = _sniff_delimiter(lines[:100])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [
        (number, [" ".join(c.split()) for c in record])
        for number, record in enumerate(reader, start=1)
    ]


class _HTMLTables(HTMLParser):
    """Collects the rows of every ``<table>`` (nested tables are kept separate)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[dict[str, Any]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append({"rows": [], "row": None, "cell": None, "span": 1})
        elif not self._stack:
            return
        elif tag == "tr":
            self._end_row()
            self._stack[-1]["row"] = []
        elif tag in ("td", "th"):
            self._end_cell()
            table = self._stack[-1]
            if table["row"] is None:
                table["row"] = []
            span = dict(attrs).get("colspan") or "1"
            table["cell"] = []
            table["span"] = max(1, min(int(span), 100)) if span.strip().isdigit() else 1
        elif tag in ("br", "p", "div"):
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._stack:
            return
        elif tag == "table":
            self._end_row()
            self.tables.append(self._stack.pop()["rows"])
        elif tag == "tr":
            self._end_row()
        elif tag in ("td", "th"):
            self._end_cell()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self._stack and self._stack[-1]["cell"] is not None:
            self._stack[-1]["cell"].append(data)

    def _end_cell(self) -> None:
        table = self._stack[-1]
        if table["cell"] is None:
            return
        text = " ".join("".join(table["cell"]).split())
        table["row"].extend([text] + [""] * (table["span"] - 1))
        table["cell"] = None

    def _end_row(self) -> None:
        self._end_cell()
        table = self._stack[-1]
        if table["row"] is not None:
            table["rows"].append(table["row"])
            table["row"] = None

    def finish(self) -> list[list[list[str]]]:
        self.close()
        while self._stack:
            self.handle_endtag("table")
        return self.tables


def html_tables(text: str) -> list[list[_RawRow]]:
    parser = _HTMLTables()
    parser.feed(text)
    tables = [[(n, row) for n, row in enumerate(rows, start=1)] for rows in parser.finish() if rows]
    # The data table is almost always the largest one; layout tables come first.
    return sorted(tables, key=len, reverse=True)


# ------------------------------------------------------------ table shaping


def _is_blank(cells: list[str]) -> bool:
    return not any(cells)


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC_CELL.match(text))


def _trimmed(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _find_header(rows: list[_RawRow], expected: list[str], needed: int) -> int | None:
    scan = [i for i, (_, cells) in enumerate(rows) if not _is_blank(cells)][:HEADER_SCAN_ROWS]
    if expected:
        wanted = set(expected)
        for i in scan:
            found = {normalize_header(c) for c in rows[i][1]} & wanted
            if len(found) >= max(1, needed):
                return i
        return None
    if not scan:
        return None
    width = max(sum(1 for c in rows[i][1] if c) for i in scan)
    threshold = max(min(2, width), math.ceil(width * 0.5))
    for i in scan:
        filled = [c for c in rows[i][1] if c]
        texts = [c for c in filled if not is_numeric(c)]
        if len(texts) >= threshold and len(texts) >= 0.8 * len(filled):
            return i
    return scan[0]


def _drop_trailing_totals(body: list[_RawRow]) -> list[_RawRow]:
    end = len(body)
    while end:
        cells = body[end - 1][1]
        filled = [c for c in cells if c]
        if not filled or _TOTAL_LABEL.match(normalize_header(filled[0])):
            end -= 1
        elif all(is_numeric(c) for c in filled) and end >= 2 and _is_blank(body[end - 2][1]):
            end -= 1  # sums under a blank separator row
        else:
            break
    return body[:end]


def _unique_headers(cells: list[str], width: int) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        name = cells[index] if index < len(cells) and cells[index] else f"Coluna {index + 1}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        headers.append(name)
    return headers


def _build_table(
    rows: list[_RawRow], expected: list[str], needed: int, digest: str, fmt: str
) -> Table | None:
    header_index = _find_header(rows, expected, needed)
    if header_index is None:
        return None
    header_number, header_cells = rows[header_index]
    body = _drop_trailing_totals(rows[header_index + 1 :])
    body = [(n, cells) for n, cells in body if not _is_blank(cells)]
    width = max([len(_trimmed(header_cells))] + [len(_trimmed(c)) for _, c in body])
    headers = _unique_headers(header_cells, width)
    records = [
        {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}
        for _, cells in body
    ]
    return Table(
        headers=headers,
        rows=records,
        sha256=digest,
        source_format=fmt,
        header_row=header_number,
        row_numbers=[n for n, _ in body],
    )
