"""Statement life cycle: drafts generated from a closed period (idempotent), approval
(content frozen, the PDF stored encrypted), payment.

An approved statement never changes: a `before_flush` guard refuses any change of its
content or lines, so a bug elsewhere fails loudly instead of rewriting what was paid.
Corrections are new ledger entries, which post in the open period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from portal.commissions.models import CommissionPeriod, PeriodState
from portal.commissions.statements import files
from portal.commissions.statements.content import Content, read_content, read_contents
from portal.commissions.statements.models import PaymentMethod, Statement, StatementLine, StatementState
from portal.commissions.statements.payees import payee_labels
from portal.commissions.types import COMPANY
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError

FROZEN = "Extrato aprovado não pode ser alterado: lance o ajuste no período aberto."
PDFRenderer = Callable[[Statement], bytes]
# What may still change on an approved statement: the payment.
_PAYOUT_FIELDS = {"state", "paid_on", "payment_method", "payment_reference", "paid_by_label"}


@dataclass(frozen=True)
class DraftResult:
    created: int
    refreshed: int
    unchanged: int
    frozen: int  # approved or paid: left alone

    @property
    def message(self) -> str:
        return (
            f"{self.created} extrato(s) criado(s), {self.refreshed} atualizado(s), "
            f"{self.unchanged} sem alteração, {self.frozen} já aprovado(s) mantido(s)."
        )


def closed_period(session: Session, period: str) -> CommissionPeriod:
    record = session.scalar(select(CommissionPeriod).where(CommissionPeriod.period == period))
    if record is None or record.state != PeriodState.CLOSED.value:
        raise DomainError(f"O período {period} não está fechado: feche-o antes de gerar os extratos.")
    return record


def _fill(statement: Statement, content: Content) -> None:
    """Write the content into a draft (lines replaced wholesale)."""
    for name, value in content.summary.as_dict().items():
        setattr(statement, name, value)
    statement.content_hash = content.hash
    statement.lines = [
        StatementLine(
            line_no=n,
            ledger_entry_id=line.ledger_entry_id,
            competence=line.competence,
            contract=line.contract,
            client_name=line.client_name[:120],
            client_cpf_masked=line.client_cpf_masked,
            bank_name=line.bank_name[:120],
            product=line.product[:60],
            kind=line.kind,
            kind_label=line.kind_label[:60],
            base=line.base,
            percent=line.percent,
            amount=line.amount,
            explanation=line.explanation,
        )
        for n, line in enumerate(content.lines, start=1)
    ]


def generate_drafts(session: Session, actor: Actor, period: str) -> DraftResult:
    """One draft per payee (the company excepted) of a closed period. Running it again
    changes nothing unless the ledger did; approved statements are never touched."""
    record = closed_period(session, period)
    contents = {k: v for k, v in read_contents(session, period).items() if k != COMPANY}
    existing = {s.payee: s for s in session.scalars(select(Statement).where(Statement.period == period))}
    labels = payee_labels(session, period, list(contents))
    created = refreshed = unchanged = frozen = 0
    for payee, content in contents.items():
        statement = existing.get(payee)
        if statement is not None and not statement.is_draft:
            frozen += 1
            continue
        if statement is not None and statement.content_hash == content.hash:
            unchanged += 1
            continue
        label = labels[payee]
        if statement is None:
            statement = Statement(
                period_id=record.id,
                period=period,
                payee=payee,
                collaborator_id=label.collaborator_id,
                org_unit_id=label.org_unit_id,
                payee_name=label.name[:200],
                store_name=label.store[:120],
            )
            session.add(statement)
            created += 1
        else:
            refreshed += 1
        _fill(statement, content)
    session.flush()
    result = DraftResult(created, refreshed, unchanged, frozen)
    if created or refreshed:
        audit.record(
            session, actor, "commission_statement.drafts", f"commission_period:{period}", result.__dict__
        )
    return result


def refresh_draft(session: Session, statement: Statement) -> None:
    """Bring a draft in line with the ledger right before it is frozen."""
    if not statement.is_draft:
        raise DomainError("Somente extratos em rascunho podem ser aprovados.")
    content = read_content(session, statement.period, statement.payee)
    if content.hash != statement.content_hash:
        _fill(statement, content)
        session.flush()


def stamp_approval(statement: Statement, actor: Actor) -> None:
    """Who approves and when, set before rendering so the PDF prints them."""
    statement.approved_at = utcnow()
    statement.approved_by_id = actor.id
    statement.approved_by_label = actor.label


def finish_approval(
    session: Session, actor: Actor, statement: Statement, pdf: bytes, storage_dir: str | Path
) -> None:
    """Freeze a refreshed draft with its rendered PDF (stored encrypted)."""
    if not statement.is_draft:
        raise DomainError("Somente extratos em rascunho podem ser aprovados.")
    files.store_pdf(storage_dir, statement, pdf)
    statement.state = StatementState.APPROVED.value
    session.flush()
    audit.record(
        session,
        actor,
        "commission_statement.approved",
        f"commission_statement:{statement.id}",
        {"hash": statement.content_hash, "payable": str(statement.payable)},
    )


def approve(
    session: Session, actor: Actor, statement: Statement, render: PDFRenderer, storage_dir: str | Path
) -> None:
    """Approve one draft: refresh it from the ledger, render the PDF once, store it."""
    refresh_draft(session, statement)
    stamp_approval(statement, actor)
    finish_approval(session, actor, statement, render(statement), storage_dir)


def mark_paid(
    session: Session, actor: Actor, statement: Statement, *, paid_on: date | None, method: str, reference: str
) -> None:
    if statement.state != StatementState.APPROVED.value:
        raise DomainError("Só um extrato aprovado e ainda não pago pode ser marcado como pago.")
    if paid_on is None:
        raise DomainError("Informe a data do pagamento.", field="paid_on")
    if method not in {m.value for m in PaymentMethod}:
        raise DomainError("Escolha a forma de pagamento (PIX, TED ou folha).", field="method")
    reference = " ".join((reference or "").split())
    if not reference:
        raise DomainError(
            "Informe a referência do pagamento (ID do PIX, número da TED ou da folha).", field="reference"
        )
    statement.state = StatementState.PAID.value
    statement.paid_on = paid_on
    statement.payment_method = method
    statement.payment_reference = reference[:120]
    statement.paid_by_label = actor.label
    session.flush()
    audit.record(
        session,
        actor,
        "commission_statement.paid",
        f"commission_statement:{statement.id}",
        {"on": paid_on.isoformat(), "method": method, "reference": reference[:120]},
    )


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_approved(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Statement):
            old_state = get_history(obj, "state").deleted
            was = old_state[0] if old_state else obj.state
            if was == StatementState.DRAFT.value:
                continue
            changed = {
                attr.key for attr in obj.__mapper__.column_attrs if get_history(obj, attr.key).has_changes()
            }
            if obj in session.deleted or changed - _PAYOUT_FIELDS or get_history(obj, "lines").has_changes():
                raise DomainError(FROZEN)
        elif (
            isinstance(obj, StatementLine)
            and obj.statement is not None
            and not obj.statement.is_draft
            and (session.is_modified(obj) or obj in session.deleted)
        ):
            raise DomainError(FROZEN)
