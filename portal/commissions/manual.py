"""Manual ledger entries: finance types an adjustment with a reason; it is audited."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from portal.commissions import ledger
from portal.commissions.contracts import collaborator_payee
from portal.commissions.ledger import Payee
from portal.commissions.models import EntrySource, LedgerEntry
from portal.commissions.types import COMPANY, Line, LineKind
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.text import required
from portal.people.models import Collaborator

ZERO = Decimal("0.00")


def post_manual(
    session: Session,
    actor: Actor,
    *,
    competence: str,
    amount: Decimal,
    reason: str,
    collaborator_id: int | None = None,
    contract: str = "",
    bank_code: str = "",
) -> LedgerEntry:
    """Append one adjustment for a collaborator (or the company when none is given)."""
    competence = ledger.check_period(competence)
    reason = required(reason, "Informe o motivo do lançamento manual.", max_length=None)
    if not isinstance(amount, Decimal) or amount == ZERO or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("Informe um valor diferente de zero, em reais com até duas casas.", field="amount")
    payee = Payee(COMPANY)
    if collaborator_id is not None:
        person = session.get(Collaborator, collaborator_id)
        if person is None:
            raise DomainError("Colaborador não encontrado.", field="collaborator_id")
        payee = Payee(collaborator_payee(person.id, person.email), person.id)
    line = Line(
        contract.strip()[:60],
        payee.key,
        LineKind.PAYOUT,
        competence,
        ZERO,
        None,
        amount,
        f"Ajuste manual: {reason}",
    )
    entry = ledger.append_adjustment(
        session, actor, line, source=EntrySource.MANUAL, bank_code=bank_code, payee=payee, reason=reason
    )
    audit.record(
        session,
        actor,
        "commission_ledger.manual_entry",
        f"commission_entry:{entry.id}",
        {
            "payee": payee.collaborator_id or COMPANY,
            "amount": str(amount),
            "period": entry.posting_period,
            "reason": reason,
        },
    )
    return entry
