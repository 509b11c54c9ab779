"""Finance's decisions on divergences, each audited:

- accept: append the open difference to the ledger as a company adjustment (source
  'reconciliation', the reason kept) and record the acceptance;
- dispute: contest it with the bank, open → closed with an outcome;
- link: tell which of our contracts an unknown contract number of the bank is.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions import ledger
from portal.commissions.ledger import Payee
from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.reconciliation.matching import COMPONENT_LABELS, ItemKey
from portal.commissions.reconciliation.models import (
    DISPUTE_OUTCOMES,
    Acceptance,
    ContractLink,
    Dispute,
    DisputeState,
)
from portal.commissions.reconciliation.service import ItemView, Status, find_item
from portal.commissions.types import COMPANY, Line, LineKind
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import Conflict, DomainError, NotFound
from portal.core.text import required

ZERO = Decimal("0.00")


def _reason(text: str | None, field: str = "reason") -> str:
    return required(text, "Informe o motivo (ao menos 5 caracteres).", field=field)


def _current(session: Session, key: ItemKey, as_of: date) -> ItemView:
    view = find_item(session, key, as_of)
    if view is None:
        raise NotFound("Divergência não encontrada: recarregue a página.")
    return view


def accept(session: Session, actor: Actor, key: ItemKey, reason: str, as_of: date) -> Acceptance:
    """Post exactly the item's open difference (reported − expected − already accepted)."""
    reason = _reason(reason)
    view = _current(session, key, as_of)
    if view.status == Status.DISPUTED:
        raise DomainError(
            "Esta divergência está em disputa com o banco: encerre a disputa antes de aceitá-la."
        )
    if view.status != Status.OPEN or view.open_difference == ZERO:
        raise Conflict("Esta divergência não está mais em aberto. Recarregue a página.")
    amount = view.open_difference
    component = COMPONENT_LABELS.get(key.component, key.component)
    line = Line(
        key.contract,
        COMPANY,
        LineKind.FLAT,
        key.period,
        ZERO,
        None,
        amount,
        f"Conciliação ({view.item.outcome.label}, {component}): {reason}",
    )
    entry_id = ledger.append_adjustment(
        session,
        actor,
        line,
        source=EntrySource.RECONCILIATION,
        bank_code=key.bank,
        payee=Payee(COMPANY),
        reason=reason,
        source_kind=key.component if key.component in COMPONENT_LABELS else None,
    ).id
    record = Acceptance(
        bank_code=key.bank,
        period=key.period,
        contract=key.contract,
        component=key.component,
        duplicate=key.duplicate,
        outcome=view.item.outcome.value,
        amount=amount,
        reason=reason,
        ledger_entry_id=entry_id,
        created_by_id=actor.id,
        created_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        record,
        "reconciliation.accepted",
        "recon_acceptance",
        {
            "bank": key.bank,
            "period": key.period,
            "contract": key.contract,
            "component": key.component,
            "outcome": view.item.outcome.value,
            "amount": str(amount),
            "ledger_entry": entry_id,
            "reason": reason,
        },
    )


def open_dispute(
    session: Session, actor: Actor, key: ItemKey, note: str, protocol: str, as_of: date
) -> Dispute:
    note = _reason(note, "note")
    view = _current(session, key, as_of)
    if view.status != Status.OPEN:
        raise Conflict("Só uma divergência em aberto pode ser contestada. Recarregue a página.")
    record = Dispute(
        bank_code=key.bank,
        period=key.period,
        contract=key.contract,
        component=key.component,
        duplicate=key.duplicate,
        outcome=view.item.outcome.value,
        difference=view.open_difference,
        state=DisputeState.OPEN.value,
        note=note,
        protocol=(protocol or "").strip()[:60],
        opened_by_id=actor.id,
        opened_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        record,
        "reconciliation.dispute_opened",
        "recon_dispute",
        {
            "bank": key.bank,
            "period": key.period,
            "contract": key.contract,
            "difference": str(record.difference),
        },
    )


def close_dispute(session: Session, actor: Actor, dispute_id: int, outcome: str, note: str) -> Dispute:
    if outcome not in DISPUTE_OUTCOMES:
        raise DomainError("Escolha o resultado da disputa.", field="outcome")
    note = _reason(note, "note")
    record = session.get(Dispute, dispute_id)
    if record is None:
        raise NotFound("Disputa não encontrada.")
    if record.state != DisputeState.OPEN.value:
        raise Conflict(f"Esta disputa já foi encerrada por {record.closed_by_label}.")
    record.state = DisputeState.CLOSED.value
    record.closed_outcome = outcome
    record.closed_note = note
    record.closed_by_label = actor.label
    record.closed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "reconciliation.dispute_closed",
        f"recon_dispute:{record.id}",
        {"outcome": outcome, "note": note},
    )
    return record


def link_contract(
    session: Session, actor: Actor, bank_code: str, reported_contract: str, contract: str, reason: str
) -> ContractLink:
    """Link the bank's unknown contract number to one of ours (for that bank, in the ledger)."""
    reason = _reason(reason)
    contract = (contract or "").strip()[:60]
    known = session.scalar(
        select(LedgerEntry.id)
        .where(
            LedgerEntry.bank_code == bank_code, LedgerEntry.contract == contract, LedgerEntry.payee == COMPANY
        )
        .limit(1)
    )
    if not contract or known is None:
        raise DomainError("Contrato não encontrado no razão deste banco.", field="contract")
    if session.scalar(
        select(ContractLink.id).where(
            ContractLink.bank_code == bank_code, ContractLink.reported_contract == reported_contract
        )
    ):
        raise Conflict("Este contrato do banco já foi vinculado. Recarregue a página.")
    record = ContractLink(
        bank_code=bank_code,
        reported_contract=reported_contract[:60],
        contract=contract,
        reason=reason,
        created_by_id=actor.id,
        created_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        record,
        "reconciliation.contract_linked",
        "recon_link",
        {"bank": bank_code, "reported": reported_contract, "contract": contract, "reason": reason},
    )
