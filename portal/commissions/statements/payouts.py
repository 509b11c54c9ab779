"""Payouts: the batch file for the bank or payroll, and payment monitoring (payable,
paid, late per person and per store). A statement is late when it was approved more than
`late_days` days ago and is still unpaid."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clients import pii
from portal.commissions.statements.models import Statement, StatementState
from portal.core import audit
from portal.core.audit import Actor
from portal.core.text import required
from portal.people.models import Collaborator

ZERO = Decimal("0.00")
LATE_DAYS = 10
BATCH_HEADERS = [
    "Nome",
    "CPF",
    "Loja",
    "Período",
    "Extrato",
    "Valor a pagar",
    "Situação",
    "Forma",
    "Data",
    "Referência",
]


def batch_rows(session: Session, period: str, *, full: bool) -> Iterator[list[object]]:
    """One row per approved or paid statement with something to pay; CPF masked unless
    `full` (the caller has checked the permission and audited the reason)."""
    show = pii.full if full else pii.mask
    stmt = (
        select(Statement, Collaborator.cpf)
        .outerjoin(Collaborator, Collaborator.id == Statement.collaborator_id)
        .where(Statement.state != StatementState.DRAFT.value, Statement.payable > ZERO)
        .order_by(Statement.payee_name, Statement.id)
    )
    if period:
        stmt = stmt.where(Statement.period == period)
    for s, cpf in session.execute(stmt):
        yield [
            s.payee_name, show("cpf", cpf), s.store_name, s.period, s.id, s.payable, s.state_label,
            s.method_label, s.paid_on or "", s.payment_reference or "",
        ]  # fmt: skip


def record_full_batch(session: Session, actor: Actor, reason: str, period: str) -> None:
    clean = required(
        reason,
        f"Informe o motivo da exportação com dados completos (pelo menos {pii.REASON_MIN} caracteres).",
        min_length=pii.REASON_MIN,
        max_length=None,
    )
    audit.record(
        session,
        actor,
        "commission_payout.exported_full",
        "commission_statements",
        {"period": period or "todos", "revealed": True, "reason": clean[: pii.REASON_MAX]},
    )


@dataclass
class Bucket:
    name: str
    payable: Decimal = ZERO  # approved, unpaid, within the deadline
    late: Decimal = ZERO  # approved, unpaid, past the deadline
    paid: Decimal = ZERO
    late_count: int = 0
    statements: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Monitoring:
    people: list[Bucket]
    stores: list[Bucket]
    totals: Bucket


def monitoring(session: Session, today: date, late_days: int = LATE_DAYS, period: str = "") -> Monitoring:
    stmt = select(Statement).where(Statement.state != StatementState.DRAFT.value)
    if period:
        stmt = stmt.where(Statement.period == period)
    people: dict[str, Bucket] = {}
    stores: dict[str, Bucket] = defaultdict(lambda: Bucket(""))
    totals = Bucket("Total")
    deadline = today - timedelta(days=late_days)
    for s in session.scalars(stmt):
        person = people.setdefault(s.payee, Bucket(s.payee_name))
        store = stores[s.store_name or "Sem loja"]
        store.name = s.store_name or "Sem loja"
        for bucket in (person, store, totals):
            bucket.statements.append(s.id)
            if s.state == StatementState.PAID.value:
                bucket.paid += s.payable
            elif s.approved_at is not None and s.approved_at.date() < deadline and s.payable > ZERO:
                bucket.late += s.payable
                bucket.late_count += 1
            else:
                bucket.payable += s.payable
    return Monitoring(
        sorted(people.values(), key=lambda b: b.name), sorted(stores.values(), key=lambda b: b.name), totals
    )
