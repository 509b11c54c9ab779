"""Tolerance and "missing after N days", globally or per bank, editable by finance (audited).

Effective-dated: the undated `ReconRule` rows are the base, and versions scheduled in
`portal.core.effective` (keys "recon_tolerance" and "recon_missing_days", scope = bank code
or GLOBAL) replace them from their start date. `load_rules(session, on)` answers with what
was in force on that day; saving "now" also records a version from today (history)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.reconciliation.matching import Rules
from portal.commissions.reconciliation.models import GLOBAL, ReconRule
from portal.core import audit, effective
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.formats import TIMEZONE

DEFAULT = Rules(tolerance=Decimal("0.05"), missing_after_days=30)
MAX_TOLERANCE = Decimal("1000.00")
TOLERANCE_KEY = "recon_tolerance"
DAYS_KEY = "recon_missing_days"


def local_today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def load_rules(session: Session, on: date | None = None) -> tuple[Rules, dict[str, Rules]]:
    """(the global rules, the banks' own) in force on `on` (today by default)."""
    tolerance: dict[str, Decimal] = {}
    days: dict[str, int] = {}
    for record in session.scalars(select(ReconRule)):
        tolerance[record.bank_code] = record.tolerance
        days[record.bank_code] = record.missing_after_days
    day = on or local_today()
    for scope, value in effective.values_on(session, TOLERANCE_KEY, day).items():
        if value is not None:
            tolerance[scope] = value
    for scope, value in effective.values_on(session, DAYS_KEY, day).items():
        if value is not None:
            days[scope] = int(value)
    default = Rules(tolerance.get(GLOBAL, DEFAULT.tolerance), days.get(GLOBAL, DEFAULT.missing_after_days))
    banks = (set(tolerance) | set(days)) - {GLOBAL}
    per_bank = {
        bank: Rules(tolerance.get(bank, default.tolerance), days.get(bank, default.missing_after_days))
        for bank in banks
    }
    return default, per_bank


def rule_records(session: Session) -> list[ReconRule]:
    return list(session.scalars(select(ReconRule).order_by(ReconRule.bank_code)))


def rules_history(session: Session) -> list[effective.EffectiveValue]:
    """Every dated version of either rule, newest start first."""
    rows = effective.history(session, TOLERANCE_KEY) + effective.history(session, DAYS_KEY)
    return sorted(rows, key=lambda v: (v.valid_from, v.id), reverse=True)


def _check(tolerance: Decimal, missing_after_days: int) -> None:
    if tolerance < 0 or tolerance > MAX_TOLERANCE or tolerance != tolerance.quantize(Decimal("0.01")):
        raise DomainError("Tolerância entre R$ 0,00 e R$ 1.000,00, com até duas casas.", field="tolerance")
    if not 0 <= missing_after_days <= 365:
        raise DomainError("Prazo entre 0 e 365 dias.", field="missing_after_days")


def schedule_rules(
    session: Session,
    actor: Actor,
    bank_code: str,
    tolerance: Decimal,
    missing_after_days: int,
    valid_from: date,
    today: date,
) -> int:
    """Schedule the rules of `bank_code` from `valid_from` (today or later); only what
    changes gets a version. Returns how many versions were added."""
    _check(tolerance, missing_after_days)
    default, per_bank = load_rules(session, valid_from)
    before = default if bank_code == GLOBAL else per_bank.get(bank_code, default)
    base_tolerance = session.scalar(select(ReconRule.tolerance).where(ReconRule.bank_code == bank_code))
    base_days = session.scalar(select(ReconRule.missing_after_days).where(ReconRule.bank_code == bank_code))
    changes = []
    if tolerance != before.tolerance:
        old = base_tolerance if base_tolerance is not None else before.tolerance
        changes.append((TOLERANCE_KEY, tolerance, old))
    if missing_after_days != before.missing_after_days:
        old_days = base_days if base_days is not None else before.missing_after_days
        changes.append((DAYS_KEY, Decimal(missing_after_days), Decimal(old_days)))
    for key, value, baseline in changes:
        effective.schedule(
            session,
            actor,
            key=key,
            scope=bank_code,
            value=value,
            valid_from=valid_from,
            today=today,
            baseline=baseline,
        )
    return len(changes)


def set_rules(
    session: Session,
    actor: Actor,
    bank_code: str,
    tolerance: Decimal,
    missing_after_days: int,
    today: date | None = None,
) -> ReconRule:
    """Create or change the rules of `bank_code` (GLOBAL for every bank without its own)
    from today on; the change is also kept as a dated version (history)."""
    _check(tolerance, missing_after_days)
    today = today or local_today()
    schedule_rules(session, actor, bank_code, tolerance, missing_after_days, today, today)
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
