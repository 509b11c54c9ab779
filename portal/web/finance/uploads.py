"""Spreadsheet uploads of the finance tools (XLSX or CSV), checked like every upload:
no folders in the name, a size limit read without holding more, the type by content."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from portal.commissions.calc_job import Upload
from portal.core.errors import DomainError
from portal.core.uploads import refuse_path_in_name

MAX_BYTES = 50 * 1024 * 1024
_XLSX = b"PK\x03\x04"


def read_optional_spreadsheet(
    storage: FileStorage | None, field: str, *, limit: int = MAX_BYTES
) -> Upload | None:
    """Like `read_spreadsheet`, but None when no file was chosen."""
    if storage is None or not storage.filename:
        return None
    return read_spreadsheet(storage, field, limit=limit)


def read_spreadsheet(storage: FileStorage | None, field: str, *, limit: int = MAX_BYTES) -> Upload:
    """The uploaded XLSX/CSV, or DomainError under `field` (also when none was chosen)."""
    if storage is None or not storage.filename:
        raise DomainError("Escolha um arquivo.", field=field)
    refuse_path_in_name(storage.filename, field)
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(f"Arquivo muito grande: o limite é {limit // (1024 * 1024)} MB.", field=field)
    if not data.strip():
        raise DomainError("O arquivo está vazio.", field=field)
    if not data.startswith(_XLSX) and b"\x00" in data[:4096]:
        raise DomainError("Formato não aceito: envie uma planilha XLSX ou um arquivo CSV.", field=field)
    return Upload(data, storage.filename)
