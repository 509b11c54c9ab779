"""Disputes: a payee questions a line of an approved statement; finance accepts it (an
adjustment posts in the open period through the manual-entry service, with the reason)
or rejects it with a reason. The statement itself never changes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions import manual
from portal.commissions.statements.models import (
    DisputeState,
    Statement,
    StatementDispute,
    StatementLine,
)
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.core.text import required

MIN_TEXT = 5


def _text(value: str | None, field: str, message: str) -> str:
    return required(value, message, field=field, min_length=MIN_TEXT, max_length=1000)


def open_dispute(
    session: Session, actor: Actor, statement: Statement, line_id: int, comment: str
) -> StatementDispute:
    if statement.is_draft:
        raise DomainError("Só é possível contestar linhas de um extrato aprovado.")
    line = session.scalar(
        select(StatementLine).where(StatementLine.id == line_id, StatementLine.statement_id == statement.id)
    )
    if line is None:
        raise NotFound("Linha do extrato não encontrada.")
    text = _text(comment, "comment", "Explique o que está errado nesta linha (pelo menos 5 caracteres).")
    dispute = StatementDispute(
        statement_id=statement.id,
        line_id=line.id,
        comment=text,
        raised_by_id=actor.id,
        raised_by_label=actor.label,
        raised_at=utcnow(),
    )
    session.add(dispute)
    session.flush()
    audit.record(
        session,
        actor,
        "commission_dispute.opened",
        f"commission_statement:{statement.id}",
        {"line": line.line_no},
    )
    return dispute


def get_dispute(session: Session, statement: Statement, dispute_id: int) -> StatementDispute:
    dispute = session.get(StatementDispute, dispute_id)
    if dispute is None or dispute.statement_id != statement.id:
        raise NotFound("Contestação não encontrada.")
    return dispute


def resolve(
    session: Session,
    actor: Actor,
    dispute: StatementDispute,
    *,
    accept: bool,
    reason: str,
    amount: Decimal | None = None,
) -> StatementDispute:
    """Accept (posting `amount` as an adjustment) or reject; both need a reason."""
    if dispute.state != DisputeState.OPEN.value:
        raise DomainError("Esta contestação já foi resolvida.")
    text = _text(reason, "reason", "Informe o motivo da decisão (pelo menos 5 caracteres).")
    statement = dispute.statement
    if accept:
        if amount is None:
            raise DomainError("Informe o valor do ajuste.", field="amount")
        if statement.collaborator_id is None:
            raise DomainError("Este beneficiário não é um colaborador: lance o ajuste manualmente.")
        entry = manual.post_manual(
            session,
            actor,
            competence=statement.period,
            amount=amount,
            reason=f"Contestação nº {dispute.id} do extrato nº {statement.id}: {text}",
            collaborator_id=statement.collaborator_id,
            contract=dispute.line.contract,
            bank_code="",
        )
        dispute.adjustment_entry_id = entry.id
        dispute.adjustment_amount = amount
    dispute.state = (DisputeState.ACCEPTED if accept else DisputeState.REJECTED).value
    dispute.resolution = text
    dispute.resolved_by_label = actor.label
    dispute.resolved_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "commission_dispute.resolved",
        f"commission_statement:{statement.id}",
        {"dispute": dispute.id, "state": dispute.state, "amount": str(amount) if accept else None},
    )
    return dispute


def open_disputes(session: Session) -> list[StatementDispute]:
    return list(
        session.scalars(
            select(StatementDispute)
            .where(StatementDispute.state == DisputeState.OPEN.value)
            .order_by(StatementDispute.raised_at)
        )
    )
