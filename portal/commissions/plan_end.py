"""Ending a plan: the payee keeps the plan up to a day, and history stays as it was."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from portal.commissions.models import CommissionPlan
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound


def end_plan(session: Session, actor: Actor, plan_id: int, valid_to: date) -> CommissionPlan:
    """Set the last day of a plan (it still covers contracts paid up to that day)."""
    plan = session.get(CommissionPlan, plan_id)
    if plan is None:
        raise NotFound("Plano não encontrado.")
    if valid_to < plan.valid_from:
        raise DomainError("O plano não pode terminar antes de começar.", field="valid_to")
    if plan.valid_to is not None and plan.valid_to <= valid_to:
        raise DomainError("O plano já termina nesta data ou antes.", field="valid_to")
    before = plan.valid_to
    plan.valid_to = valid_to
    session.flush()
    audit.record(
        session,
        actor,
        "commission_plan.ended",
        f"commission_plan:{plan.id}",
        {"valid_to": valid_to.isoformat(), "before": before.isoformat() if before else None},
    )
    return plan
