"""Money received from banks: typed by finance or imported from an OFX or CSV statement.

Each credit is matched to a bank (the one picked on the form, or the bank whose name or code
appears in the transaction's text) and to a period (the one given, else the credit's
month). Imports are idempotent: a transaction's natural key (the OFX FITID, or a digest of a
CSV row) is stored once per bank, so importing the same statement again adds nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.models import Bank
from portal.commissions.ledger import check_period
from portal.commissions.reconciliation.matching import period_of
from portal.commissions.reconciliation.models import ReceivedPayment, ReceivedSource
from portal.commissions.reconciliation.ofx import read_ofx
from portal.core import audit, spreadsheets
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.money import parse_brl
from portal.core.text import fold

ZERO = Decimal("0.00")
CSV_DATE = ("Data", "Data lançamento", "Data do lançamento", "Dt")
CSV_TEXT = ("Descrição", "Histórico", "Lançamento", "Memo")
CSV_AMOUNT = ("Valor", "Valor (R$)", "Crédito")
CSV_REFERENCE = ("Documento", "Nº documento", "Referência")


@dataclass(frozen=True)
class Credit:
    key: str
    on: date
    amount: Decimal
    text: str
    reference: str


@dataclass
class ImportResult:
    imported: int = 0
    already: int = 0
    not_credit: int = 0
    unidentified: list[str] = field(default_factory=list)
    total: Decimal = ZERO


def _check_bank(session: Session, code: str) -> str:
    if not session.scalar(select(Bank.id).where(Bank.code == code)):
        raise DomainError("Banco desconhecido.", field="bank_code")
    return code


def add_manual(
    session: Session,
    actor: Actor,
    *,
    bank_code: str,
    received_on: date,
    amount: Decimal,
    reference: str = "",
    memo: str = "",
    period: str = "",
) -> ReceivedPayment:
    """One payment typed by finance (positive, two places)."""
    _check_bank(session, bank_code)
    if amount <= ZERO or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("Informe um valor recebido positivo, com até duas casas.", field="amount")
    record = ReceivedPayment(
        bank_code=bank_code,
        period=check_period(period) if period else period_of(received_on),
        received_on=received_on,
        amount=amount,
        reference=reference.strip()[:100],
        memo=" ".join(memo.split())[:300],
        source=ReceivedSource.MANUAL.value,
        natural_key=uuid.uuid4().hex,
        created_by_id=actor.id,
        created_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        record,
        "reconciliation.received_added",
        "recon_received",
        {"bank": bank_code, "amount": str(amount), "period": record.period},
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def credits_from_ofx(data: bytes) -> tuple[list[Credit], int]:
    """(credits, number of debits skipped)."""
    credits, debits = [], 0
    for t in read_ofx(data):
        if t.amount <= ZERO:
            debits += 1
            continue
        key = t.fit_id or _digest(t.posted, t.amount, t.name, t.memo, t.reference)
        credits.append(Credit(key, t.posted, t.amount, f"{t.name} {t.memo}".strip(), t.reference))
    return credits, debits


def credits_from_csv(data: bytes, filename: str) -> tuple[list[Credit], int]:
    table = spreadsheets.read_table(data, filename, expected_columns=["Data", "Valor"], min_matches=2)
    date_col, amount_col = table.column(*CSV_DATE), table.column(*CSV_AMOUNT)
    text_col, ref_col = table.column(*CSV_TEXT), table.column(*CSV_REFERENCE)
    if date_col is None or amount_col is None:
        raise DomainError("O extrato CSV precisa das colunas Data e Valor.")
    credits, debits, seen = [], 0, Counter[str]()
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        try:
            day, month, year = (int(x) for x in row[date_col].split("/"))
            on = date(year, month, day)
            amount = parse_brl(row[amount_col])
        except ValueError:
            raise DomainError(f"Linha {number} do extrato: data ou valor inválido.") from None
        if amount <= ZERO:
            debits += 1
            continue
        text = row.get(text_col, "") if text_col else ""
        reference = row.get(ref_col, "") if ref_col else ""
        base = _digest(on, amount, text, reference)
        seen[base] += 1  # two identical rows in one file are two credits
        credits.append(Credit(_digest(base, seen[base]), on, amount, text, reference))
    return credits, debits


def _bank_of(text: str, banks: list[tuple[str, str]]) -> str | None:
    folded = f" {fold(text)} "
    hits = {code for code, name in banks if fold(name) in folded or f" {fold(code)} " in folded}
    return hits.pop() if len(hits) == 1 else None


def import_statement(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    bank_code: str = "",
    period: str = "",
) -> ImportResult:
    """Import the statement's credits; debits and credits of no identifiable bank are skipped."""
    is_ofx = filename.lower().endswith(".ofx") or b"<OFX>" in data[:4096].upper()
    source = ReceivedSource.OFX if is_ofx else ReceivedSource.CSV
    credits, debits = credits_from_ofx(data) if is_ofx else credits_from_csv(data, filename)
    period = check_period(period) if period else ""
    if bank_code:
        _check_bank(session, bank_code)
    banks = [(c, n) for c, n in session.execute(select(Bank.code, Bank.name))]
    result = ImportResult(not_credit=debits)
    wanted: list[tuple[str, Credit]] = []
    for credit in credits:
        code = bank_code or _bank_of(credit.text, banks)
        if code is None:
            result.unidentified.append(f"{credit.on:%d/%m/%Y} {credit.text}"[:120])
        else:
            wanted.append((code, credit))
    existing = set(
        session.execute(
            select(ReceivedPayment.bank_code, ReceivedPayment.natural_key).where(
                ReceivedPayment.natural_key.in_({c.key for _, c in wanted})
            )
        ).tuples()
    )
    for code, credit in wanted:
        if (code, credit.key) in existing:
            result.already += 1
            continue
        existing.add((code, credit.key))
        session.add(
            ReceivedPayment(
                bank_code=code,
                period=period or period_of(credit.on),
                received_on=credit.on,
                amount=credit.amount,
                reference=credit.reference[:100],
                memo=credit.text[:300],
                source=source.value,
                natural_key=credit.key,
                created_by_id=actor.id,
                created_by_label=actor.label,
            )
        )
        result.imported += 1
        result.total += credit.amount
    session.flush()
    audit.record(
        session,
        actor,
        "reconciliation.statement_imported",
        f"recon_statement:{filename[:80]}",
        {
            "imported": result.imported,
            "already": result.already,
            "total": str(result.total),
            "unidentified": len(result.unidentified),
        },
    )
    return result


def received_list(session: Session, bank_code: str = "", period: str = "") -> list[ReceivedPayment]:
    stmt = select(ReceivedPayment).order_by(ReceivedPayment.received_on.desc(), ReceivedPayment.id.desc())
    if bank_code:
        stmt = stmt.where(ReceivedPayment.bank_code == bank_code)
    if period:
        stmt = stmt.where(ReceivedPayment.period == period)
    return list(session.scalars(stmt))
