"""Spreadsheet exports (`writers`: CSV, XLSX) and bank-file imports (`readers`: XLSX, CSV,
HTML-as-.xls). Import the public names from here; the modules split the two directions."""

from portal.core.spreadsheets.readers import (
    DEFAULT_MAX_BYTES,
    Table,
    check_xlsx_container,
    iter_rows,
    normalize_header,
    parse_br_number,
    read_table,
)
from portal.core.spreadsheets.writers import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    INTEGER_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    iter_csv,
    write_xlsx,
)

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "DEFAULT_MAX_BYTES",
    "INTEGER_FORMAT",
    "MONEY_FORMAT",
    "PERCENT_FORMAT",
    "Table",
    "check_xlsx_container",
    "iter_csv",
    "iter_rows",
    "normalize_header",
    "parse_br_number",
    "read_table",
    "write_xlsx",
]
