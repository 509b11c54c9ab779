"""Demo bank reports (issue #11): one commission report per demo bank and closed period,
written from the ledger's company lines in each bank's own (synthetic) layout and imported
through the import hub's service, the same path as the page and the CLI.

Layouts: Facta-like CSV (CODIGOAF;VLRAF;DEBITO;CREDITO;DATA;TABELA;DS_TIPOLANCAMENTO),
C6-like XLSX (signed VL COMISSAO, VL PRINCIPAL), a plain CSV for the other banks. The first
file of each bank saves its layout from the proposed mapping; later files match it.

Facta's latest closed period carries deliberate divergences (DIVERGENCES) so the
reconciliation has one of each kind to show. Idempotent: skipped once any report exists.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.models import CommissionPeriod, EntrySource, LedgerEntry, PeriodState
from portal.commissions.reconciliation.matching import COMPONENTS
from portal.commissions.reports.kind import NAME as BANK_REPORT
from portal.commissions.reports.models import BankReportLine
from portal.commissions.types import COMPANY
from portal.core.audit import Actor
from portal.core.db import money_sum
from portal.core.imports import runs, service
from portal.core.spreadsheets.writers import write_xlsx

FINANCE = Actor(id=None, label="Fábio Financeiro (demonstração)")
ZERO = Decimal("0.00")
DAY, DUPLICATE_DAY = 25, 26
DIVERGENT_BANK = "facta"
UNKNOWN_CONTRACT = "FAC-9999001"
SHORT_BY, OVER_BY = Decimal("40.00"), Decimal("25.00")
UNKNOWN_AMOUNT, CLAWBACK_AMOUNT = Decimal("180.00"), Decimal("95.00")
DESCRIPTIONS = {
    "flat": "COMISSAO FLAT",
    "diferido": "COMISSAO DIFERIDA",
    "bonus": "BONUS PRODUCAO",
    "fixo": "TARIFA FIXA",
    "estorno": "ESTORNO COMISSAO",
    "outro": "OUTROS LANCAMENTOS",
}


@dataclass(frozen=True)
class Row:
    contract: str
    component: str
    day: date
    amount: Decimal
    base: Decimal


def _brl(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _write_facta(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="latin-1", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["CODIGOAF", "VLRAF", "DEBITO", "CREDITO", "DATA", "TABELA", "DS_TIPOLANCAMENTO"])
        for r in rows:
            debit, credit = (-r.amount, ZERO) if r.amount < 0 else (ZERO, r.amount)
            out.writerow([r.contract, _brl(r.base), _brl(debit), _brl(credit), f"{r.day:%d/%m/%Y}",
                          "PADRAO", DESCRIPTIONS[r.component]])  # fmt: skip


def _write_c6(path: Path, rows: list[Row]) -> None:
    headers = ["NR CONTRATO", "DT LANCAMENTO", "VL PRINCIPAL", "VL COMISSAO", "HISTORICO"]
    write_xlsx(
        headers,
        ([r.contract, r.day, r.base, r.amount, DESCRIPTIONS[r.component]] for r in rows),
        "Comissoes",
        path=path,
    )


def _write_plain(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["CONTRATO", "DATA PAGAMENTO", "VALOR", "TIPO LANCAMENTO"])
        for r in rows:
            out.writerow([r.contract, f"{r.day:%d/%m/%Y}", _brl(r.amount), DESCRIPTIONS[r.component]])


# bank → (file suffix, writer, layout name); other banks use the plain CSV.
LAYOUTS: dict[str, tuple[str, Callable[[Path, list[Row]], None], str]] = {
    "facta": (".csv", _write_facta, "Facta – relatório AF"),
    "c6": (".xlsx", _write_c6, "C6 – extrato de comissões"),
}
PLAIN = (".csv", _write_plain, "Relatório padrão")


def ledger_rows(session: Session, periods: list[str]) -> dict[tuple[str, str], list[Row]]:
    """Per (bank, period): the company's total per contract and component, as one line."""
    e = LedgerEntry
    stmt = (
        select(e.bank_code, e.competence, e.contract, e.kind, money_sum(e.amount), func.max(e.base))
        .where(
            e.payee == COMPANY,
            e.kind.in_(COMPONENTS),
            e.source != EntrySource.RECONCILIATION.value,
            e.competence.in_(periods),
            e.bank_code != "",
            e.contract != "",
        )
        .group_by(e.bank_code, e.competence, e.contract, e.kind)
        .order_by(e.bank_code, e.competence, e.contract, e.kind)
    )
    out: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for bank, period, contract, kind, amount, base in session.execute(stmt):
        if amount != ZERO:
            day = date.fromisoformat(f"{period}-{DAY:02d}")
            out[(bank, period)].append(Row(contract, kind, day, amount, base or ZERO))
    return out


def with_divergences(rows: list[Row]) -> list[Row]:
    """The bank's report with one of each deliberate divergence: a short and an over
    payment, a duplicated line (another day), an unknown contract and a clawback the
    ledger does not expect."""
    flats = [r for r in rows if r.component == "flat" and r.amount > SHORT_BY * 2]
    clawed = {r.contract for r in rows if r.component == "estorno"}
    if len(flats) < 4:
        return rows
    short, over, repeated = flats[0], flats[1], flats[2]
    target = next((r for r in flats[3:] if r.contract not in clawed), flats[3])
    out = [
        Row(r.contract, r.component, r.day, r.amount - SHORT_BY, r.base)
        if r == short
        else Row(r.contract, r.component, r.day, r.amount + OVER_BY, r.base)
        if r == over
        else r
        for r in rows
    ]
    day = rows[0].day
    dup_day = day.replace(day=DUPLICATE_DAY)
    out.append(Row(repeated.contract, "flat", dup_day, repeated.amount, repeated.base))
    out.append(Row(UNKNOWN_CONTRACT, "flat", day, UNKNOWN_AMOUNT, UNKNOWN_AMOUNT * 20))
    out.append(Row(target.contract, "estorno", day, -CLAWBACK_AMOUNT, target.base))
    return out


def import_report(session: Session, bank: str, path: Path, layout_name: str) -> None:
    """Prepare, save the layout on the bank's first file (the proposed mapping), run."""
    record = service.prepare(
        session, FINANCE, kind=BANK_REPORT, bank_code=bank, path=path, filename=path.name,
        sha256=runs.file_sha256(path), source="upload",
    )  # fmt: skip
    if record.status == "mapping":
        service.save_layout(
            session, FINANCE, record, name=layout_name, mapping=dict(record.mapping), aliases={}
        )
    service.execute(session, FINANCE, record, path)


def seed_reports(session: Session) -> None:
    if session.scalar(select(BankReportLine.id).limit(1)) is not None:
        return
    closed = sorted(
        session.scalars(
            select(CommissionPeriod.period).where(CommissionPeriod.state == PeriodState.CLOSED.value)
        )
    )
    if not closed:
        return
    reports = ledger_rows(session, closed)
    with tempfile.TemporaryDirectory(prefix="athenas-demo-") as folder:
        for (bank, period), rows in sorted(reports.items()):
            suffix, write, layout = LAYOUTS.get(bank, PLAIN)
            if (bank, period) == (DIVERGENT_BANK, closed[-1]):
                rows = with_divergences(rows)
            path = Path(folder) / f"comissoes-{bank}-{period}{suffix}"
            write(path, rows)
            import_report(session, bank, path, layout)
