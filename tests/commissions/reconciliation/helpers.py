"""Bank report lines written straight into the hub's table (the import itself is tested there)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from portal.commissions.reports.models import BankReportLine
from portal.core.imports.models import DataImport

_seq = itertools.count(1)


def report(db, bank: str = "facta") -> DataImport:
    record = DataImport(
        kind="bank-report", bank_code=bank, status="imported", filename="r.csv", sha256=f"{next(_seq):064d}"
    )
    db.add(record)
    db.flush()
    return record


def line(
    db, imp, contract: str, amount: str, on: date, component: str = "flat", installment: int | None = None
):
    value = Decimal(amount)
    row = BankReportLine(
        import_id=imp.id,
        bank_code=imp.bank_code,
        contract=contract,
        operator_code=None,
        kind="credito" if value >= 0 else "debito",
        component=component,
        installment=installment,
        line_date=on,
        amount=value,
        natural_key=f"k{next(_seq)}",
    )
    db.add(row)
    db.flush()
    return row
