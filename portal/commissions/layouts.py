"""The commission file layouts: table rows, contracts, plans (read) and lines (written).

CSV (``;`` or ``,``, UTF-8 or Latin-1) or XLSX, header row required (column names are
case- and accent-insensitive), Brazilian numbers, ``dd/mm/aaaa`` dates, products by code
or Portuguese label. Files are read row by row (:func:`~portal.core.spreadsheets.iter_rows`)
and every bad cell is reported with its line; a file with any error is refused whole
(:class:`~portal.commissions.fields.LayoutError`), nothing half-imported.

Bank codes are checked against a set given by the caller: the admin's banks, or for the
calculator without a database :data:`DEMO_BANKS` plus any codes passed on the command line.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from portal.commissions.fields import (
    LayoutError,
    Record,
    RowErrors,
    bank_code,
    choice,
    optional_date,
    optional_money,
    parse_date,
    parse_email,
    parse_int,
    parse_money,
    parse_percent,
    parse_rate,
    product_code,
    required,
    text_of,
)
from portal.commissions.resolution import bank_name, specificity
from portal.commissions.types import (
    CalcBase,
    ClawbackRule,
    Contract,
    EndReason,
    Line,
    Plan,
    PlanBasis,
    TableRow,
)
from portal.core.errors import DomainError
from portal.core.spreadsheets import iter_rows, normalize_header, write_xlsx

__all__ = [
    "CONTRACT_COLUMNS",
    "DEMO_BANKS",
    "LINE_COLUMNS",
    "PLAN_COLUMNS",
    "TABLE_COLUMNS",
    "LayoutError",
    "iter_contracts",
    "line_cells",
    "read_plans",
    "read_table_rows",
    "table_row_cells",
    "write_lines",
    "write_table_rows",
]

StrPath = str | os.PathLike[str]

DEMO_BANKS = frozenset({"facta", "daycoval", "c6", "master", "bradesco", "bmg", "pan"})

TABLE_COLUMNS = (
    "banco", "produto", "convenio", "tabela", "prazo_de", "prazo_ate", "taxa_de", "taxa_ate",
    "vigencia_de", "vigencia_ate", "base", "flat", "diferido", "diferido_meses", "bonus", "fixo",
    "estorno_dias", "estorno_regra",
)  # fmt: skip
CONTRACT_COLUMNS = (
    "contrato", "banco", "produto", "convenio", "tabela", "prazo", "taxa", "valor_bruto",
    "valor_liquido", "troco", "seguro", "data_pagamento", "corretor",
)  # fmt: skip
CONTRACT_OPTIONAL = ("data_encerramento", "motivo_encerramento")
PLAN_COLUMNS = ("colaborador", "vigencia_de", "vigencia_ate", "sobre", "percentual")
LINE_COLUMNS = (
    "contrato", "beneficiario", "tipo", "competencia", "base", "percentual", "valor", "explicacao",
)  # fmt: skip


def _records(
    source: StrPath, columns: Sequence[str], errors: RowErrors, optional: Sequence[str] = ()
) -> Iterator[Record]:
    """The file's data rows keyed by layout column, after checking the header."""
    rows = iter_rows(source)
    header = next(((n, cells) for n, cells in rows if any(cells)), None)
    if header is None:
        raise DomainError(f"{errors.name}: o arquivo está vazio.")
    number, cells = header
    names = [normalize_header(c) for c in cells]
    missing = [c for c in columns if normalize_header(c) not in names]
    if missing:
        expected = ";".join(columns)
        message = f"cabeçalho sem a(s) coluna(s) {', '.join(missing)} (esperado: {expected})"
        raise LayoutError([(number, message)], name=errors.name)
    wanted = {normalize_header(c): c for c in (*columns, *optional)}
    index = {wanted[n]: i for i, n in enumerate(names) if n in wanted}
    for number, cells in rows:
        if any(cells):
            yield Record(number, {c: cells[i] if i < len(cells) else "" for c, i in index.items()}, errors)


# ---------------------------------------------------------------- table rows


def read_table_rows(
    source: StrPath, *, banks: Collection[str], version_label: str | None = None
) -> list[TableRow]:
    """Every row of a table file, or :class:`LayoutError` listing every bad line.

    ``version_label`` names the table in explanations (``Facta v3``); by default each row
    is labelled with its bank's name. ``line_no`` is the row's line in the file.
    """
    errors = RowErrors("Tabela")
    bank = bank_code(banks)
    rows = []
    for record in _records(source, TABLE_COLUMNS, errors):
        row = _table_row(record, bank, version_label)
        if row is not None:
            rows.append(row)
    _check_overlaps(rows, errors)
    errors.raise_if_any()
    return rows


def parse_table_row(
    line: int, cells: dict[str, str], banks: Collection[str], errors: RowErrors
) -> TableRow | None:
    """One row of cells keyed by layout column (the import hub's rows), its errors noted
    in `errors` with `line`."""
    return _table_row(Record(line, cells, errors), bank_code(banks), None)


def overlap_errors(rows: Sequence[TableRow]) -> list[tuple[int, str]]:
    """(line, message) of every row that overlaps an earlier one (ambiguous table)."""
    errors = RowErrors("Tabela")
    _check_overlaps(rows, errors)
    return errors.errors


def _table_row(record: Record, bank: Callable[[str], str], label: str | None) -> TableRow | None:
    r = record
    code = r.take("banco", bank)
    fields = {
        "bank": code,
        "product": r.take("produto", product_code),
        "agreement": r.take("convenio", required),
        "table_code": r.take("tabela", required),
        "term_from": r.take("prazo_de", parse_int),
        "term_to": r.take("prazo_ate", parse_int),
        "rate_from": r.take("taxa_de", parse_rate),
        "rate_to": r.take("taxa_ate", parse_rate),
        "valid_from": r.take("vigencia_de", parse_date),
        "valid_to": r.take("vigencia_ate", optional_date),
        "base": r.take("base", choice(CalcBase)),
        "flat": r.take("flat", parse_percent),
        "deferred": r.take("diferido", parse_percent),
        "deferred_months": r.take("diferido_meses", parse_int),
        "bonus": r.take("bonus", parse_percent),
        "fixed": r.take("fixo", parse_money),
        "clawback_days": r.take("estorno_dias", parse_int),
        "clawback_rule": r.take("estorno_regra", choice(ClawbackRule)),
    }
    f = fields
    _ordered(r, f["term_from"], f["term_to"], "prazo_de", "prazo_ate", "faixa de prazo invertida")
    _ordered(r, f["rate_from"], f["rate_to"], "taxa_de", "taxa_ate", "faixa de taxa invertida")
    _ordered(r, f["valid_from"], f["valid_to"], "vigencia_de", "vigencia_ate", "vigência invertida")
    if f["deferred"] and f["deferred_months"] == 0:
        r.fail("diferido informado com diferido_meses 0.")
    if not r.ok or code is None:
        return None
    version = label if label is not None else bank_name(code)
    return TableRow(**f, version_label=version, line_no=r.line)  # type: ignore[arg-type]


def _ordered(record: Record, low: object, high: object, a: str, b: str, what: str) -> None:
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        record.fail(f"{what}: {a} ({_show(low)}) maior que {b} ({_show(high)}).")


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return text_of(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _overlap(low_a: object, high_a: object, low_b: object, high_b: object) -> bool:
    """Inclusive ranges; a ``None`` high end is open."""
    return (high_b is None or low_a <= high_b) and (high_a is None or low_b <= high_a)  # type: ignore[operator]


def _check_overlaps(rows: Sequence[TableRow], errors: RowErrors) -> None:
    """Refuse two rows that would both resolve some contract with the same specificity."""
    groups: dict[tuple, list[TableRow]] = {}
    for row in rows:
        key = (row.bank, row.product, row.agreement.casefold(), row.table_code.casefold(), specificity(row))
        groups.setdefault(key, []).append(row)
    for group in groups.values():
        for i, later in enumerate(group):
            for earlier in group[:i]:
                if (
                    _overlap(earlier.valid_from, earlier.valid_to, later.valid_from, later.valid_to)
                    and _overlap(earlier.term_from, earlier.term_to, later.term_from, later.term_to)
                    and _overlap(earlier.rate_from, earlier.rate_to, later.rate_from, later.rate_to)
                ):
                    errors.add(
                        later.line_no,
                        f"sobrepõe a linha {earlier.line_no} com a mesma especificidade (mesmo "
                        "convênio, tabela e largura de prazo e taxa, faixas e vigências que se "
                        "cruzam): um contrato nessa faixa teria tabela ambígua.",
                    )
                    break


def table_row_cells(row: TableRow) -> list[str]:
    """A row as the layout writes it; :func:`read_table_rows` reads it back unchanged."""
    return [
        row.bank, row.product, row.agreement, row.table_code, str(row.term_from), str(row.term_to),
        text_of(row.rate_from), text_of(row.rate_to), row.valid_from.strftime("%d/%m/%Y"),
        row.valid_to.strftime("%d/%m/%Y") if row.valid_to else "", row.base.value,
        text_of(row.flat), text_of(row.deferred), str(row.deferred_months), text_of(row.bonus),
        text_of(row.fixed), str(row.clawback_days), row.clawback_rule.value,
    ]  # fmt: skip


def write_table_rows(rows: Iterable[TableRow], path: StrPath) -> None:
    """Export rows in the table layout: XLSX when ``path`` ends in ``.xlsx``, else CSV."""
    cells = (table_row_cells(r) for r in rows)
    if Path(path).suffix.casefold() == ".xlsx":
        write_xlsx(TABLE_COLUMNS, cells, "Tabela", path=path)
        return
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(TABLE_COLUMNS)
        writer.writerows(cells)


# ----------------------------------------------------------------- contracts


def iter_contracts(source: StrPath, *, banks: Collection[str]) -> Iterator[Contract]:
    """Stream the valid contracts of a file; at the end raise :class:`LayoutError` if any
    line was bad. Callers must keep nothing (write nothing final) until it is exhausted."""
    errors = RowErrors("Contratos")
    bank = bank_code(banks)
    for record in _records(source, CONTRACT_COLUMNS, errors, CONTRACT_OPTIONAL):
        contract = _contract(record, bank)
        if contract is not None:
            yield contract
    errors.raise_if_any()


def _contract(record: Record, bank: Callable[[str], str]) -> Contract | None:
    r = record
    fields = {
        "number": r.take("contrato", required),
        "bank": r.take("banco", bank),
        "product": r.take("produto", product_code),
        "agreement": r.take("convenio", required),
        "table_code": r.text("tabela"),
        "term_months": r.take("prazo", parse_int),
        "monthly_rate": r.take("taxa", parse_rate),
        "gross": r.take("valor_bruto", parse_money),
        "net": r.take("valor_liquido", optional_money),
        "cash_out": r.take("troco", optional_money),
        "insurance": r.take("seguro", optional_money),
        "paid_on": r.take("data_pagamento", parse_date),
        "agent": r.take("corretor", parse_email),
        "ended_on": r.take("data_encerramento", optional_date),
        "end_reason": r.take("motivo_encerramento", lambda t: choice(EndReason)(t) if t else None),
    }
    if (fields["ended_on"] is None) != (fields["end_reason"] is None) and r.ok:
        r.fail("informe data_encerramento e motivo_encerramento juntos.")
    if r.ok and fields["ended_on"] is not None and fields["ended_on"] < fields["paid_on"]:  # type: ignore[operator]
        r.fail("data_encerramento anterior à data_pagamento.")
    return Contract(**fields) if r.ok else None  # type: ignore[arg-type]


# --------------------------------------------------------------------- plans


def read_plans(source: StrPath) -> list[Plan]:
    """Every plan of a plans file; overlapping validity for one payee and basis is refused."""
    errors = RowErrors("Planos")
    plans: list[tuple[int, Plan]] = []
    for r in _records(source, PLAN_COLUMNS, errors):
        payee = r.take("colaborador", parse_email)
        start = r.take("vigencia_de", parse_date)
        end = r.take("vigencia_ate", optional_date)
        basis = r.take("sobre", choice(PlanBasis))
        percent = r.take("percentual", parse_percent)
        _ordered(r, start, end, "vigencia_de", "vigencia_ate", "vigência invertida")
        if not r.ok:
            continue
        plan = Plan(payee, start, end, basis, percent)  # type: ignore[arg-type]
        for line, other in plans:
            if (other.payee, other.basis) == (plan.payee, plan.basis) and _overlap(
                other.valid_from, other.valid_to, plan.valid_from, plan.valid_to
            ):
                r.fail(f"vigência sobreposta à do plano da linha {line} ({plan.payee}, {basis}).")
                break
        else:
            plans.append((r.line, plan))
    errors.raise_if_any()
    return [plan for _, plan in plans]


# --------------------------------------------------------------------- lines


_SWAP = str.maketrans(",.", ".,")


def _pt(value: Decimal) -> str:
    """pt-BR with grouping, at least two places, never rounded (``-1234.5`` → ``-1.234,50``)."""
    exact = int(value.as_tuple().exponent) <= -2
    text = format(value, ",f" if exact else ",.2f").translate(_SWAP)
    return text[1:] if text.startswith("-") and not value else text


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas in text that came from a file ("CSV injection")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def line_cells(line: Line) -> list[str]:
    """A line in the output layout (``valor`` signed, pt-BR)."""
    return [
        _safe(line.contract), _safe(line.payee), line.kind.value, line.period, _pt(line.base),
        _pt(line.percent) if line.percent is not None else "", _pt(line.amount),
        _safe(line.explanation),
    ]  # fmt: skip


def write_lines(lines: Iterable[Line], handle: TextIO, *, header: bool = True) -> int:
    """Write lines as ``;``-separated CSV to an open text file; returns how many."""
    writer = csv.writer(handle, delimiter=";")
    if header:
        writer.writerow(LINE_COLUMNS)
    count = 0
    for line in lines:
        writer.writerow(line_cells(line))
        count += 1
    return count
