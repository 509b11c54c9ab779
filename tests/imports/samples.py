"""Bank report files written by hand for the import tests (Facta-like, C6-like, HTML)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from portal.core.audit import Actor

FINANCE = Actor(id=None, label="Financeiro de teste")
FACTA_HEADER = ["CODIGOAF", "VLRAF", "DEBITO", "CREDITO", "DATA", "TABELA", "DS_TIPOLANCAMENTO"]
FACTA_MAPPING = {
    "contract": "CODIGOAF",
    "base": "VLRAF",
    "debit": "DEBITO",
    "credit": "CREDITO",
    "line_date": "DATA",
    "description": "DS_TIPOLANCAMENTO",
}
FACTA_ROWS = [
    ["AF1001", "10.000,00", "", "600,00", "05/03/2026", "TB01", "COMISSAO FLAT"],
    ["AF1002", "5.000,00", "", "300,00", "05/03/2026", "TB01", "COMISSAO FLAT"],
    ["AF0990", "8.000,00", "480,00", "", "06/03/2026", "TB01", "ESTORNO COMISSAO"],
]


def csv_file(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    sep: str = ";",
    preamble: int = 0,
    encoding: str = "utf-8",
    total: bool = False,
) -> Path:
    lines = [f"Relatório de comissões{sep}{sep}" for _ in range(preamble)]
    lines.append(sep.join(header))
    lines += [sep.join(r) for r in rows]
    if total:
        lines.append(sep.join(["TOTAL", "", "480,00", "900,00", "", "", ""]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def facta_csv(path: Path, rows: list[list[str]] | None = None, **kwargs) -> Path:
    return csv_file(path, FACTA_HEADER, FACTA_ROWS if rows is None else rows, **kwargs)


def xlsx_file(
    path: Path, header: list, rows: list[list], preamble: int = 0, sheets: tuple[str, ...] = ()
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Comissões"
    for name in sheets:
        wb.create_sheet(name).append(["outra", "aba"])
    for _ in range(preamble):
        ws.append(["Banco Exemplo - relatório"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def html_xls(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    cells = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    path.write_text(
        f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr>{body}</table></body></html>",
        encoding="utf-8",
    )
    return path
