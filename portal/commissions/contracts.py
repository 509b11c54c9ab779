"""What the engine needs for paid proposals, loaded set-based: the `Contract`, the payees'
plans and the overrides of the org hierarchy on the payment date.

A handful of queries for any number of proposals (agents, plans, supervisors, managers,
override rates), never one per proposal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.commissions.models import CommissionPlan, OverrideRate
from portal.commissions.types import Contract, EndReason, Override, Plan, PlanBasis, Tier, TierMode
from portal.people.models import Collaborator, Membership, OrgKind, OrgUnit, RoleGroup
from portal.proposals.models import Proposal
from portal.proposals.statuses import Status

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")  # a payment's day and month are Brazilian ones
ZERO = Decimal("0.00")

# Statuses after "paga" that end a contract early, and the clawback reason they carry.
END_REASONS: dict[str, EndReason] = {
    Status.CANCELLED.value: EndReason.CANCELLATION,
    Status.FRAUD.value: EndReason.CANCELLATION,
    Status.SETTLED_EARLY.value: EndReason.PAYOFF,
    Status.REFINANCED_AWAY.value: EndReason.PAYOFF,
    Status.PORTED_OUT.value: EndReason.PORT_OUT,
}


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def contract_number(proposal: Proposal) -> str:
    return proposal.contract_number or proposal.bank_proposal_number or f"proposta-{proposal.id}"


def collaborator_payee(collaborator_id: int, email: str | None) -> str:
    """A collaborator's payee key: the e-mail (the files' `corretor`), else a stable id."""
    return (email or "").strip().lower() or f"colaborador:{collaborator_id}"


def sub_correspondent_payee(unit: OrgUnit) -> str:
    return f"substabelecido:{unit.cnpj or unit.id}"


def _valid(valid_from: date, valid_to: date | None, on: date) -> bool:
    return valid_from <= on and (valid_to is None or valid_to >= on)


@dataclass
class ContractInputs:
    """One paid proposal as the engine sees it, and who its payees are in the database."""

    proposal: Proposal
    contract: Contract
    plans: list[Plan] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    # payee key -> (collaborator id, org unit id), for the ledger's scoping columns
    payees: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


def to_contract(proposal: Proposal, agent_key: str, sub_key: str | None = None) -> Contract:
    if proposal.paid_at is None:
        raise ValueError(f"proposal {proposal.id} was never paid")
    reason = END_REASONS.get(proposal.status)
    ended_on = local_day(proposal.status_changed_at) if reason is not None else None
    return Contract(
        number=contract_number(proposal),
        bank=proposal.bank_code,
        product=proposal.product,
        agreement=proposal.agreement,
        table_code=proposal.rate_table_code or "",
        term_months=proposal.term_months,
        monthly_rate=proposal.monthly_rate if proposal.monthly_rate is not None else Decimal("0"),
        gross=proposal.gross_amount,
        net=proposal.net_amount if proposal.net_amount is not None else ZERO,
        cash_out=proposal.cash_out if proposal.cash_out is not None else ZERO,
        insurance=proposal.insurance if proposal.insurance is not None else ZERO,
        paid_on=local_day(proposal.paid_at),
        agent=agent_key,
        ended_on=ended_on,
        end_reason=reason,
        proposal_id=proposal.id,
        sub_correspondent=sub_key,
    )


def to_plan(record: CommissionPlan, payee: str) -> Plan:
    return Plan(
        payee=payee,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        basis=PlanBasis(record.basis),
        percent=record.percent,
        tiers=tuple(Tier(t.threshold, t.percent) for t in record.tiers),
        tier_mode=TierMode(record.tier_mode),
        plan_id=record.id,
        name=record.name,
    )


def _leaders(
    session: Session, unit_ids: set[int], group: RoleGroup
) -> dict[int, list[tuple[Membership, Collaborator]]]:
    """Members of role `group` per unit (every validity; filtered per payment day later)."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(Membership, Collaborator)
        .join(Collaborator, Collaborator.id == Membership.collaborator_id)
        .where(Membership.org_unit_id.in_(sorted(unit_ids)), Collaborator.role_group == group.value)
        .order_by(Membership.valid_from.desc(), Membership.id)
    ).all()
    out: dict[int, list[tuple[Membership, Collaborator]]] = defaultdict(list)
    for membership, person in rows:
        out[membership.org_unit_id].append((membership, person))
    return out


def _leader_on(
    candidates: list[tuple[Membership, Collaborator]], on: date, agent_id: int
) -> Collaborator | None:
    for membership, person in candidates:
        valid_to = membership.valid_to  # exclusive, like every membership
        if person.id != agent_id and membership.valid_from <= on and (valid_to is None or valid_to > on):
            return person
    return None


def load_inputs(session: Session, proposals: Sequence[Proposal]) -> list[ContractInputs]:
    """`ContractInputs` for paid proposals in a constant number of queries."""
    if not proposals:
        return []
    agent_ids = {p.agent_id for p in proposals}
    people = {
        c.id: c for c in session.scalars(select(Collaborator).where(Collaborator.id.in_(sorted(agent_ids))))
    }
    sub_ids = {p.sub_correspondent_id for p in proposals if p.sub_correspondent_id}
    units = {u.id: u for u in session.scalars(select(OrgUnit))} if proposals else {}
    plans_by_collaborator: dict[int, list[CommissionPlan]] = defaultdict(list)
    plans_by_unit: dict[int, list[CommissionPlan]] = defaultdict(list)
    for plan in session.scalars(
        select(CommissionPlan).where(
            or_(
                CommissionPlan.collaborator_id.in_(sorted(agent_ids)),
                CommissionPlan.org_unit_id.in_(sorted(sub_ids) or [0]),
            )
        )
    ):
        if plan.collaborator_id is not None:
            plans_by_collaborator[plan.collaborator_id].append(plan)
        elif plan.org_unit_id is not None:  # always, by the one_payee constraint
            plans_by_unit[plan.org_unit_id].append(plan)
    rates = list(session.scalars(select(OverrideRate)))
    supervisors = _leaders(session, {p.team_id for p in proposals if p.team_id}, RoleGroup.SUPERVISOR)
    store_chain: dict[int, list[int]] = {}
    for store_id in {p.store_id for p in proposals if p.store_id}:
        chain, unit = [], units.get(store_id)
        while unit is not None:
            chain.append(unit.id)
            unit = units.get(unit.parent_id) if unit.parent_id else None
        store_chain[store_id] = chain
    managers = _leaders(session, {u for chain in store_chain.values() for u in chain}, RoleGroup.MANAGER)
    fallback_ids = {c.supervisor_id for c in people.values() if c.supervisor_id}
    fallback = {
        c.id: c
        for c in session.scalars(select(Collaborator).where(Collaborator.id.in_(sorted(fallback_ids) or [0])))
    }

    result = []
    for proposal in proposals:
        agent = people[proposal.agent_id]
        agent_key = collaborator_payee(agent.id, agent.email)
        sub = units.get(proposal.sub_correspondent_id) if proposal.sub_correspondent_id else None
        if sub is not None and sub.kind != OrgKind.SUB_CORRESPONDENT:
            sub = None
        sub_key = sub_correspondent_payee(sub) if sub is not None else None
        contract = to_contract(proposal, agent_key, sub_key)
        on = contract.paid_on
        item = ContractInputs(proposal, contract, payees={agent_key: (agent.id, None)})
        item.plans = [
            to_plan(p, agent_key)
            for p in plans_by_collaborator[agent.id]
            if _valid(p.valid_from, p.valid_to, on)
        ]
        if sub is not None and sub_key is not None:
            item.payees[sub_key] = (None, sub.id)
            item.plans += [
                to_plan(p, sub_key) for p in plans_by_unit[sub.id] if _valid(p.valid_from, p.valid_to, on)
            ]
        supervisor = _leader_on(supervisors.get(proposal.team_id or 0, []), on, agent.id)
        if supervisor is None and agent.supervisor_id in fallback:
            candidate = fallback[agent.supervisor_id]
            supervisor = candidate if candidate.role_group == RoleGroup.SUPERVISOR.value else None
        manager = None
        for unit_id in store_chain.get(proposal.store_id or 0, []):
            manager = _leader_on(managers.get(unit_id, []), on, agent.id)
            if manager is not None:
                break
        for level, leader in (("supervisor", supervisor), ("gerente", manager)):
            if leader is None:
                continue
            rate = next((r for r in rates if r.level == level and _valid(r.valid_from, r.valid_to, on)), None)
            if rate is None:
                continue
            key = collaborator_payee(leader.id, leader.email)
            item.payees[key] = (leader.id, None)
            item.overrides.append(Override(payee=key, level=level, percent=rate.percent))
        result.append(item)
    return result
