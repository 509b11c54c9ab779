"""Checking a printed statement: its hash names the statement, and the ledger is read
again now to say whether the statement still matches it.

Entries of a closed period never change; what can happen later is a correction whose
competência is that period but which posts in a later (open) period. Those are reported
separately: the statement still matches, and the corrections are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.models import LedgerEntry
from portal.commissions.statements.content import read_content
from portal.commissions.statements.models import Statement
from portal.core.db import money_sum


@dataclass(frozen=True)
class Verification:
    statement: Statement | None
    current_hash: str | None
    later_lines: int
    later_amount: Decimal

    @property
    def found(self) -> bool:
        return self.statement is not None

    @property
    def matches(self) -> bool:
        return self.statement is not None and self.current_hash == self.statement.content_hash

    @property
    def message(self) -> str:
        if self.statement is None:
            return "Nenhum extrato tem este código."
        s = self.statement
        who = f"Extrato nº {s.id} de {s.payee_name}, período {s.period} ({s.state_label})."
        if not self.matches:
            return f"{who} NÃO confere com o razão: os lançamentos do período mudaram desde a emissão."
        text = f"{who} Confere com o razão."
        if self.later_lines:
            text += (
                f" Há {self.later_lines} lançamento(s) posterior(es) de competência {s.period}, "
                "lançados em períodos seguintes (não alteram este extrato)."
            )
        return text


def verify(session: Session, digest: str) -> Verification:
    digest = (digest or "").strip().lower()
    statement = None
    if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
        statement = session.scalar(
            select(Statement).where(Statement.content_hash == digest).order_by(Statement.id.desc()).limit(1)
        )
    if statement is None:
        return Verification(None, None, 0, Decimal("0.00"))
    current = read_content(session, statement.period, statement.payee).hash
    count, amount = session.execute(
        select(func.count(), money_sum(LedgerEntry.amount)).where(
            LedgerEntry.payee == statement.payee,
            LedgerEntry.competence == statement.period,
            LedgerEntry.posting_period > statement.period,
        )
    ).one()
    return Verification(statement, current, count, amount)
