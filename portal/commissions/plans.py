"""Internal plans (per collaborator or sub-correspondent) and override rates per org level.

Both are effective-dated: a new version starts the day after the previous one ends, so
what a past contract earned stays answerable. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.commissions.models import (
    OVERRIDE_LEVELS,
    CommissionPeriod,
    CommissionPlan,
    OverrideRate,
    PeriodState,
    PlanTier,
)
from portal.commissions.types import PlanBasis, Tier, TierMode
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.people.models import Collaborator, OrgKind, OrgUnit


def _check_percent(value: Decimal, field: str = "percent") -> None:
    if not isinstance(value, Decimal) or value < 0 or value > 100:
        raise DomainError("Percentual inválido: use um valor entre 0 e 100.", field=field)


def _check_open_period(session: Session, valid_from: date) -> None:
    """A new version may not start inside a closed period: what was closed is never re-priced."""
    closed = session.scalar(
        select(CommissionPeriod.period)
        .where(CommissionPeriod.state == PeriodState.CLOSED.value)
        .order_by(CommissionPeriod.period.desc())
        .limit(1)
    )
    if closed is not None and valid_from.strftime("%Y-%m") <= closed:
        raise DomainError(
            f"O período {closed[5:]}/{closed[:4]} já está fechado: a nova versão deve começar depois "
            "dele (o passado não é alterado).",
            field="valid_from",
        )


def _close_previous(session: Session, model, where, valid_from: date) -> None:
    """End the open-ended version that covers `valid_from` the day before it (history kept)."""
    previous = session.scalars(
        select(model).where(
            where, model.valid_from < valid_from, or_(model.valid_to.is_(None), model.valid_to >= valid_from)
        )
    ).all()
    for item in previous:
        item.valid_to = valid_from - timedelta(days=1)
    clash = session.scalar(select(model.id).where(where, model.valid_from >= valid_from).limit(1))
    if clash is not None:
        raise DomainError(
            "Já existe versão que começa nesta data ou depois: o histórico não é alterado.",
            field="valid_from",
        )


def set_plan(
    session: Session,
    actor: Actor,
    *,
    valid_from: date,
    basis: PlanBasis | str,
    percent: Decimal,
    collaborator_id: int | None = None,
    org_unit_id: int | None = None,
    tiers: Sequence[Tier] = (),
    tier_mode: TierMode | str = TierMode.WHOLE,
    name: str = "",
) -> CommissionPlan:
    """A new plan version for a collaborator or a sub-correspondent, from `valid_from` on."""
    if (collaborator_id is None) == (org_unit_id is None):
        raise DomainError("Escolha um colaborador ou um substabelecido.", field="collaborator_id")
    if collaborator_id is not None and session.get(Collaborator, collaborator_id) is None:
        raise DomainError("Colaborador não encontrado.", field="collaborator_id")
    if org_unit_id is not None:
        unit = session.get(OrgUnit, org_unit_id)
        if unit is None or unit.kind != OrgKind.SUB_CORRESPONDENT:
            raise DomainError("Escolha um substabelecido.", field="org_unit_id")
    try:
        basis, tier_mode = PlanBasis(basis), TierMode(tier_mode)
    except ValueError:
        raise DomainError("Base ou modo de meta inválido.", field="basis") from None
    _check_percent(percent)
    for tier in tiers:
        _check_percent(tier.percent, "tiers")
        if tier.threshold <= 0:
            raise DomainError("A meta deve ser um valor positivo.", field="tiers")
    owner = (
        CommissionPlan.collaborator_id == collaborator_id
        if collaborator_id is not None
        else CommissionPlan.org_unit_id == org_unit_id
    )
    _check_open_period(session, valid_from)
    _close_previous(session, CommissionPlan, owner & (CommissionPlan.basis == basis.value), valid_from)
    plan = CommissionPlan(
        collaborator_id=collaborator_id,
        org_unit_id=org_unit_id,
        name=" ".join(name.split())[:120],
        valid_from=valid_from,
        basis=basis.value,
        percent=percent,
        tier_mode=tier_mode.value,
        created_by_label=actor.label,
        tiers=[PlanTier(threshold=t.threshold, percent=t.percent) for t in tiers],
    )
    session.add(plan)
    session.flush()
    audit.record(
        session, actor, "commission_plan.set", f"commission_plan:{plan.id}", {"percent": str(percent)}
    )
    return plan


def set_override_rate(
    session: Session, actor: Actor, *, level: str, percent: Decimal, valid_from: date
) -> OverrideRate:
    """A new override rate for `level` ("supervisor" or "gerente") from `valid_from` on."""
    if level not in OVERRIDE_LEVELS:
        raise DomainError("Nível inválido: supervisor ou gerente.", field="level")
    _check_percent(percent)
    _check_open_period(session, valid_from)
    _close_previous(session, OverrideRate, OverrideRate.level == level, valid_from)
    rate = OverrideRate(level=level, percent=percent, valid_from=valid_from, created_by_label=actor.label)
    session.add(rate)
    session.flush()
    audit.record(
        session,
        actor,
        "commission_override.set",
        f"commission_override:{rate.id}",
        {"level": level, "percent": str(percent)},
    )
    return rate


def plans_of(
    session: Session, collaborator_id: int | None = None, org_unit_id: int | None = None
) -> list[CommissionPlan]:
    stmt = select(CommissionPlan).order_by(CommissionPlan.valid_from.desc())
    if collaborator_id is not None:
        stmt = stmt.where(CommissionPlan.collaborator_id == collaborator_id)
    if org_unit_id is not None:
        stmt = stmt.where(CommissionPlan.org_unit_id == org_unit_id)
    return list(session.scalars(stmt))


def override_rates(session: Session) -> list[OverrideRate]:
    return list(
        session.scalars(select(OverrideRate).order_by(OverrideRate.level, OverrideRate.valid_from.desc()))
    )


def recent_overrides(session: Session, limit: int = 50) -> list[OverrideRate]:
    """The latest override rates, newest start first (history pages)."""
    stmt = select(OverrideRate).order_by(OverrideRate.valid_from.desc()).limit(limit)
    return list(session.scalars(stmt))
