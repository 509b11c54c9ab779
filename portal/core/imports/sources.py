"""Open an import file and stream its rows: XLSX (python-calamine), CSV (`;`, `,`, tab or
`|`; UTF-8 or Latin-1) and HTML saved as `.xls`. The format comes from the bytes.

Memory does not grow with the file for CSV (the existing streaming reader); an XLSX
sheet is loaded whole by calamine (its compact cell store, not Python objects) and kept
on the `Source`, so the header scan and the import that follows read the file once.
Formulas: the cached values Excel saved are read; a workbook whose formulas were never
calculated (no cached value) is refused, because what the bank meant cannot be known.
A password-protected XLSX is an OLE container holding an `EncryptedPackage`; it is named
as such rather than as an unknown format.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from portal.core.errors import DomainError
from portal.core.spreadsheets.readers import (
    check_xlsx_container,
    csv_stream,
    decode_text,
    file_encoding,
    html_tables,
)

RawRow = tuple[int, list[Any]]  # (1-based line in the file, cell values)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_MAGIC = b"PK\x03\x04"
ENCRYPTED = "Planilha protegida por senha: remova a senha no Excel e envie de novo."
OLD_XLS = "Formato .xls antigo (binário) não é aceito: salve a planilha como .xlsx."
NOT_A_SHEET = "Formato não reconhecido: envie uma planilha .xlsx, .csv ou .xls salvo como HTML."
UNCALCULATED = (
    "A planilha tem fórmulas sem valor calculado: abra-a no Excel, salve de novo "
    "(ou cole as células como valores) e envie outra vez."
)
_ENCRYPTED_NAME = "EncryptedPackage".encode("utf-16-le")
_FORMULA_WITHOUT_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_MEMBER_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_OTHER_BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")


@dataclass(frozen=True)
class Source:
    """An import file: its format ("xlsx" | "csv" | "html") and sheet names."""

    path: Path
    format: str
    sheets: tuple[str, ...]
    _loaded: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def rows(self, sheet: str | None = None) -> Iterator[RawRow]:
        """Every row of `sheet` (default: the first), blank ones included."""
        index = self.sheet_index(sheet)
        if self.format == "xlsx":
            if index not in self._loaded:
                self._loaded[index] = _xlsx_sheet(self.path, index)
            return _xlsx_rows(self._loaded[index])
        if self.format == "html":
            return iter(_html(self.path)[index])
        return csv_stream(self.path, file_encoding(self.path))

    def sheet_index(self, sheet: str | None) -> int:
        if not sheet:
            return 0
        if sheet not in self.sheets:
            raise DomainError(f"Aba “{sheet[:40]}” não encontrada no arquivo.", field="sheet")
        return self.sheets.index(sheet)


def open_source(path: str | os.PathLike[str]) -> Source:
    """Identify the file by its bytes; DomainError (Portuguese) when it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise DomainError(f"Não foi possível ler o arquivo {path.name}.") from exc
    if size == 0 or not head.strip():
        raise DomainError("O arquivo está vazio.", field="file")
    if head.startswith(OLE2_MAGIC):
        raise DomainError(ENCRYPTED if _is_encrypted(path) else OLD_XLS, field="file")
    if head.startswith(XLSX_MAGIC):
        return Source(path, "xlsx", _xlsx_sheets(path))
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if body.startswith(_OTHER_BINARY) or b"\x00" in body[:4096]:
        raise DomainError(NOT_A_SHEET, field="file")
    lowered = body[:4096].lstrip().lower()
    if lowered.startswith(b"<") or re.search(rb"<table[\s>]", lowered):
        tables = _html(path)
        if not tables:
            raise DomainError("O arquivo HTML não contém nenhuma tabela.", field="file")
        return Source(path, "html", tuple(f"Tabela {n}" for n in range(1, len(tables) + 1)))
    return Source(path, "csv", ("CSV",))


def _is_encrypted(path: Path) -> bool:
    """An OLE container with an `EncryptedPackage` stream: Office's password protection."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if _ENCRYPTED_NAME in chunk:
                return True
    return False


def _xlsx_sheets(path: Path) -> tuple[str, ...]:
    names = check_xlsx_container(path)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise DomainError("Planilha com macros não é aceita: salve-a como .xlsx comum.", field="file")
    _refuse_uncalculated(path, [n for n in names if _MEMBER_SHEET.match(n)])
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise DomainError("Planilha .xlsx inválida ou corrompida.", field="file") from exc
    try:
        return tuple(workbook.sheet_names)
    finally:
        workbook.close()


def _refuse_uncalculated(path: Path, members: list[str]) -> None:
    """Scan the sheets' XML (streamed, container already checked) for `<f>` without `<v>`."""
    with zipfile.ZipFile(path) as archive:
        for member in members:
            with archive.open(member) as handle:
                tail = b""
                while chunk := handle.read(1 << 20):
                    window = tail + chunk
                    if b"<f" in window and _FORMULA_WITHOUT_VALUE.search(window):
                        raise DomainError(UNCALCULATED, field="file")
                    tail = window[-256:]


def _xlsx_sheet(path: Path, index: int) -> Any:
    """The sheet as calamine loads it (whole, in its own memory), the workbook closed."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise DomainError("Planilha .xlsx inválida ou corrompida.", field="file") from exc
    try:
        return workbook.get_sheet_by_index(index)
    except CalamineError as exc:
        raise DomainError("Planilha .xlsx inválida ou corrompida.", field="file") from exc
    finally:
        workbook.close()


def _xlsx_rows(sheet: Any) -> Iterator[RawRow]:
    # calamine starts at the first used row: keep line numbers as Excel shows them.
    first = sheet.start[0] + 1 if sheet.start else 1
    try:
        rows = sheet.iter_rows()
    except CalamineError as exc:
        raise DomainError("Planilha .xlsx inválida ou corrompida.", field="file") from exc
    return enumerate(rows, start=first)


def _html(path: Path) -> list[list[RawRow]]:
    data = path.read_bytes()  # HTML "spreadsheets" are small reports; parsed whole
    return [[(n, list(cells)) for n, cells in table] for table in html_tables(decode_text(data))]
