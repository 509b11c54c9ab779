"""Tolerance and "missing after N days", globally or per bank, editable by finance (audited)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.reconciliation.matching import Rules
from portal.commissions.reconciliation.models import GLOBAL, ReconRule
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError

DEFAULT = Rules(tolerance=Decimal("0.05"), missing_after_days=30)
MAX_TOLERANCE = Decimal("1000.00")


def load_rules(session: Session) -> tuple[Rules, dict[str, Rules]]:
    """(the global rules, the banks' own) in one query."""
    default, per_bank = DEFAULT, {}
    for record in session.scalars(select(ReconRule)):
        rules = Rules(record.tolerance, record.missing_after_days)
        if record.bank_code == GLOBAL:
            default = rules
        else:
            per_bank[record.bank_code] = rules
    return default, per_bank


def rule_records(session: Session) -> list[ReconRule]:
    return list(session.scalars(select(ReconRule).order_by(ReconRule.bank_code)))


def set_rules(
    session: Session, actor: Actor, bank_code: str, tolerance: Decimal, missing_after_days: int
) -> ReconRule:
    """Create or change the rules of `bank_code` (GLOBAL for every bank without its own)."""
    if tolerance < 0 or tolerance > MAX_TOLERANCE or tolerance != tolerance.quantize(Decimal("0.01")):
        raise DomainError("Tolerância entre R$ 0,00 e R$ 1.000,00, com até duas casas.", field="tolerance")
    if not 0 <= missing_after_days <= 365:
        raise DomainError("Prazo entre 0 e 365 dias.", field="missing_after_days")
    record = session.scalar(select(ReconRule).where(ReconRule.bank_code == bank_code))
    before = None if record is None else (str(record.tolerance), record.missing_after_days)
    if record is None:
        record = ReconRule(bank_code=bank_code)
        session.add(record)
    record.tolerance = tolerance
    record.missing_after_days = missing_after_days
    record.updated_by_label = actor.label
    record.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "reconciliation.rules_changed",
        f"recon_rules:{bank_code}",
        {"before": before, "tolerance": str(tolerance), "missing_after_days": missing_after_days},
    )
    return record
