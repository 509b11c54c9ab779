"""The calculator over files: a bank table, contracts and plans in, the lines layout out.

No database: finance uses it to try a bank's new table on last month's production, or to
check what a bank paid. Used by ``flask --app wsgi commissions preview`` and the
"Calculadora" page. Contracts are streamed — memory depends on the table and plans, not
on the number of contracts — and the output is written to a side file renamed over
``out`` only when every input line was valid, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from portal.commissions.engine import contract_lines
from portal.commissions.layouts import (
    DEMO_BANKS,
    iter_contracts,
    read_plans,
    read_table_rows,
    write_lines,
)
from portal.commissions.resolution import index_rows
from portal.commissions.types import Line, LineKind, Plan

__all__ = ["Summary", "calculate"]

StrPath = str | os.PathLike[str]


@dataclass
class Summary:
    """What a calculator run produced: counts, the net total per payee and per kind, and
    the first lines (``keep`` of them) for a page to show."""

    contracts: int = 0
    lines: int = 0
    no_table: int = 0
    ambiguous: int = 0
    totals: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    by_kind: dict[LineKind, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    first: list[Line] = field(default_factory=list)


def calculate(
    table: StrPath,
    contracts: StrPath,
    out: StrPath,
    *,
    plans: StrPath | None = None,
    banks: Collection[str] = DEMO_BANKS,
    keep: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Run the engine over the files and write the lines layout to ``out``.

    Raises :class:`~portal.commissions.fields.LayoutError` (every bad line of the file
    that has them) before ``out`` is touched. ``keep``: how many lines to keep in
    ``Summary.first``; ``progress(contracts so far)`` is called every 1,000 contracts.
    """
    index = index_rows(read_table_rows(table, banks=banks))
    by_payee: dict[str, list[Plan]] = defaultdict(list)
    for plan in read_plans(plans) if plans else ():
        by_payee[plan.payee].append(plan)
    target = Path(out)
    partial = target.with_name(target.name + ".parcial")
    summary = Summary()
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            write_lines((), handle)  # the header
            for contract in iter_contracts(contracts, banks=banks):
                rows = index.get((contract.bank, contract.product), ())
                lines = contract_lines(contract, rows, by_payee.get(contract.agent, ()))
                summary.contracts += 1
                summary.lines += write_lines(lines, handle, header=False)
                if len(summary.first) < keep:
                    summary.first.extend(lines[: keep - len(summary.first)])
                if progress is not None and summary.contracts % 1000 == 0:
                    progress(summary.contracts)
                for line in lines:
                    summary.totals[line.payee] += line.amount
                    summary.by_kind[line.kind] += line.amount
                    summary.no_table += line.kind is LineKind.NO_TABLE
                    summary.ambiguous += line.kind is LineKind.AMBIGUOUS
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return summary
