"""The monthly workbook: five sheets a finance person can audit in Excel.

"Produção", "Comissões", "Conciliação", "Rankings" and "Pagamentos", each a bold header,
value rows (money as numbers formatted ``"R$" #,##0.00``, never text) and a totals row
whose cells are real ``=SUM(...)`` formulas over the rows above, so a changed or deleted
row shows in the total. Written with openpyxl's write-only mode: rows stream to the file.
Text from users (names, stores) goes through `spreadsheets.writers.xlsx_cell`, which
keeps a leading "=" as text, so only the totals are formulas.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from portal.core.spreadsheets.writers import (
    INTEGER_FORMAT,
    MONEY_FORMAT,
    bold_cell,
    formula_cell,
    xlsx_cell,
)
from portal.insights import workbook_data as data

if TYPE_CHECKING:
    from openpyxl import Workbook

SHEETS = ("Produção", "Comissões", "Conciliação", "Rankings", "Pagamentos")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EMPTY_ROW = "Sem movimento no período"


@dataclass
class Block:
    """Rows followed by one totals row; `totals` maps a column index (0-based) to its
    number format and gets ``=SUM`` of the block's rows in that column."""

    rows: Sequence[Sequence[object]]
    total_label: str
    totals: dict[int, str]


@dataclass
class SheetSpec:
    title: str
    headers: list[str]
    blocks: list[Block] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)


def _write_sheet(wb: Workbook, spec: SheetSpec) -> None:
    from openpyxl.utils import get_column_letter  # openpyxl loads only when a workbook is written

    ws = wb.create_sheet(spec.title)
    ws.freeze_panes = "A2"
    for index, header in enumerate(spec.headers, start=1):
        width = spec.widths.get(index - 1, max(14, min(40, len(header) + 4)))
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append([bold_cell(ws, h) for h in spec.headers])
    row_number = 1
    for n, block in enumerate(spec.blocks):
        if n:
            ws.append([])  # a blank line between blocks
            row_number += 1
        rows = list(block.rows) or [[EMPTY_ROW]]
        first = row_number + 1
        for row in rows:
            ws.append([xlsx_cell(ws, value) for value in row])
            row_number += 1
        last = row_number
        totals: list[object] = [bold_cell(ws, block.total_label)]
        for column in range(1, len(spec.headers)):
            fmt = block.totals.get(column)
            if fmt is None:
                totals.append(None)
                continue
            letter = get_column_letter(column + 1)
            totals.append(formula_cell(ws, f"=SUM({letter}{first}:{letter}{last})", fmt))
        ws.append(totals)
        row_number += 1


def sheets(session: Session, period: str, as_of: date) -> list[SheetSpec]:
    """The five sheets of `period`, figures read now (reconciliation aged to `as_of`)."""
    money, count = MONEY_FORMAT, INTEGER_FORMAT

    def ranking_rows(kind: str, ranked: list[data.Ranked]) -> list[list[object]]:
        return [[kind, r.position, r.name, r.contracts, r.gross] for r in ranked]

    return [
        SheetSpec(
            "Produção",
            ["Banco", "Produto", "Loja", "Contratos", "Valor bruto", "Valor líquido"],
            [Block(data.production(session, period), "Total", {3: count, 4: money, 5: money})],
            {2: 30},
        ),
        SheetSpec(
            "Comissões",
            ["Beneficiário", "Componente", "Lançamentos", "Valor"],
            [Block(data.commissions(session, period), "Total", {2: count, 3: money})],
            {0: 34, 1: 30},
        ),
        SheetSpec(
            "Conciliação",
            [
                "Banco",
                "Esperado",
                "Informado pelo banco",
                "Recebido",
                "Informado − esperado",
                "Recebido − informado",
                "Itens em aberto",
            ],
            [
                Block(
                    data.reconciliation(session, period, as_of),
                    "Total",
                    {1: money, 2: money, 3: money, 4: money, 5: money, 6: count},
                )
            ],
        ),
        SheetSpec(
            "Rankings",
            ["Ranking", "Posição", "Nome", "Contratos", "Produção"],
            [
                Block(
                    ranking_rows("Lojas", data.store_ranking(session, period)),
                    "Total das lojas",
                    {3: count, 4: money},
                ),
                Block(
                    ranking_rows("Corretores", data.agent_ranking(session, period)),
                    "Total dos corretores",
                    {3: count, 4: money},
                ),
            ],
            {0: 22, 2: 34},
        ),
        SheetSpec(
            "Pagamentos",
            ["Beneficiário", "Loja", "Extrato", "Situação", "Valor a pagar", "Pago em", "Forma"],
            [Block(data.payouts(session, period), "Total", {4: money})],
            {0: 34, 1: 24},
        ),
    ]


def build_workbook(
    session: Session,
    period: str,
    as_of: date,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The monthly workbook of `period` as XLSX bytes; `progress(done, total, message)`
    is called after each sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    specs = sheets(session, period, as_of)
    for done, spec in enumerate(specs, start=1):
        _write_sheet(wb, spec)
        if progress is not None:
            progress(done, len(specs), f"Planilha {spec.title} pronta")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(period: str) -> str:
    return f"relatorio-mensal-{period}.xlsx"
