"""A large ledger batch (a month's recalculation: COPY on PostgreSQL) is stored exactly as
given, texts with tabs, line breaks and backslashes included."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.commissions import ledger
from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.types import Line, LineKind
from tests.commissions.helpers import FINANCE

D = Decimal


def test_a_large_batch_comes_back_exactly_as_appended(db):
    rule = ledger.PostingRule(closed_through="2026-02")  # March posts in March, February in March
    batch = ledger.new_batch_id()
    texts = ["6,00% de R$ 10.000,00 (valor bruto)", "tab\there", "line\nbreak\r", "back\\slash \\N", ""]
    rows = []
    for i in range(1500):  # over ledger.COPY_FROM
        line = Line(
            contract=f"C{i:05d}",
            payee="empresa" if i % 2 else "ana@teste.athenas",
            kind=LineKind.CLAWBACK if i % 3 == 0 else LineKind.FLAT,
            period="2026-02" if i % 5 == 0 else "2026-03",
            base=D("10000.00"),
            percent=None if i % 4 == 0 else D("0.333333"),
            amount=D(-i) / 100 if i % 3 == 0 else D(i) / 100,
            explanation=texts[i % len(texts)] or "x",
            source_kind=LineKind.FLAT if i % 3 == 0 else None,
        )
        rows.append(
            ledger.entry_values(
                line,
                rule=rule,
                batch_id=batch,
                source=EntrySource.RECALC,
                actor=FINANCE,
                bank_code="facta",
                proposal_id=None,
                payee=ledger.Payee(line.payee),
                reason="motivo com\ttab" if i % 7 == 0 else None,
            )
        )
    assert ledger.append(db, rows) == 1500
    db.flush()
    stored = db.scalars(
        select(LedgerEntry).where(LedgerEntry.batch_id == batch).order_by(LedgerEntry.id)
    ).all()
    assert len(stored) == 1500
    first, second, third, fifth = stored[0], stored[1], stored[2], stored[5]
    assert (first.contract, first.kind, first.source_kind, first.amount, first.percent) == (
        "C00000", "estorno", "flat", D("0.00"), None,
    )  # fmt: skip
    assert (first.competence, first.posting_period, first.prior_period) == ("2026-02", "2026-03", True)
    assert first.reason == "motivo com\ttab" and first.author_label == FINANCE.label
    assert (second.amount, second.percent, second.reason, second.prior_period) == (
        D("0.01"), D("0.333333"), None, False,
    )  # fmt: skip
    assert second.explanation == "tab\there" and third.explanation == "line\nbreak\r"
    assert stored[3].explanation == "back\\slash \\N" and stored[3].amount == D("-0.03")
    assert fifth.explanation == "6,00% de R$ 10.000,00 (valor bruto)" and fifth.base == D("10000.00")
    # 0,00 + … + 14,99 = 11.242,50; the multiples of 3 (3.742,50) are negative: 7.500,00 − 3.742,50
    assert sum((e.amount for e in stored), D("0")) == D("3757.50")
