"""What-if: a draft table version (and/or draft plans) over a past period's paid contracts.

Runs the engine over the real contracts paid in the period with the draft in place of the
approved version it would replace, and compares per person and per bank with what the
ledger holds for those contracts (computed entries: engine, recalculation, import).
A pure read: nothing is posted, nothing is frozen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.commissions import engine, ledger, tables
from portal.commissions.contracts import load_inputs
from portal.commissions.ledger import check_period
from portal.commissions.models import TableVersion, VersionState
from portal.commissions.recalc import paid_in
from portal.commissions.resolution import bank_name, index_rows
from portal.commissions.types import COMPANY, Plan
from portal.core.errors import DomainError
from portal.people.models import Collaborator
from portal.proposals.models import Proposal

ZERO = Decimal("0.00")


@dataclass
class Difference:
    """One person's or bank's totals: what the ledger holds and what the draft says."""

    key: str
    label: str
    held: Decimal = ZERO
    draft: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.draft - self.held


@dataclass
class WhatIf:
    period: str
    version: TableVersion | None
    contracts: int = 0
    problems: int = 0  # contracts the draft leaves with no table or an ambiguous one
    people: list[Difference] = field(default_factory=list)
    banks: list[Difference] = field(default_factory=list)

    @property
    def total_difference(self) -> Decimal:
        return sum((b.difference for b in self.banks), ZERO)


def replaced_versions(session: Session, draft: TableVersion) -> set[int]:
    """The approved versions the draft stands in for: the one it supersedes and any of the
    same bank whose validity overlaps the draft's."""
    overlapping = select(TableVersion.id).where(
        TableVersion.bank_code == draft.bank_code,
        TableVersion.state == VersionState.APPROVED.value,
        or_(TableVersion.valid_to.is_(None), TableVersion.valid_to >= draft.valid_from),
        *([TableVersion.valid_from <= draft.valid_to] if draft.valid_to else []),
    )
    ids = set(session.scalars(overlapping))
    if draft.supersedes_id:
        ids.add(draft.supersedes_id)
    return ids


def what_if(
    session: Session,
    period: str,
    draft: TableVersion | None = None,
    plans: Sequence[Plan] | None = None,
) -> WhatIf:
    """Differences per person and per bank if `draft` (and/or `plans`, which replace the
    plans of the payees they name) had applied to the contracts paid in `period`."""
    period = check_period(period)
    if draft is None and not plans:
        raise DomainError("Escolha uma versão rascunho da tabela ou envie um arquivo de planos.")
    if draft is not None and draft.state != VersionState.DRAFT.value:
        raise DomainError(f"A versão {draft.label} não é um rascunho.", field="version_id")
    paid = select(Proposal).where(Proposal.id.in_(paid_in(period))).order_by(Proposal.id)
    proposals = list(session.scalars(paid))
    result = WhatIf(period=period, version=draft, contracts=len(proposals))
    if not proposals:
        return result
    inputs = load_inputs(session, proposals)
    days = [item.contract.paid_on for item in inputs]
    banks = {p.bank_code for p in proposals}
    rows = tables.approved_rows_on(session, banks, min(days), max(days))
    if draft is not None:
        replaced = replaced_versions(session, draft)
        rows = [r for r in rows if r.version_id not in replaced] + tables.version_rows(draft)
    index = index_rows(rows)
    by_payee: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans or ():
        by_payee[plan.payee].append(plan)
    people: dict[str, Difference] = {}
    bank_totals: dict[str, Difference] = {}

    def add(payee: str, bank: str, amount: Decimal, held: bool) -> None:
        if payee == COMPANY:
            item = bank_totals.setdefault(bank, Difference(bank, bank_name(bank)))
        else:
            item = people.setdefault(payee, Difference(payee, payee))
        if held:
            item.held += amount
        else:
            item.draft += amount

    for item in inputs:
        contract = item.contract
        own = [p for p in item.plans if p.payee not in by_payee]
        extra = [p for payee in contract.payees for p in by_payee.get(payee, ())]
        key = (contract.bank.casefold(), contract.product.casefold())
        resolution = engine.resolve_row(contract, index.get(key, ()))
        result.problems += resolution.row is None
        for line in engine.lines_for(contract, resolution, own + extra, item.overrides):
            add(line.payee, contract.bank, line.amount, held=False)
    bank_of = {p.id: p.bank_code for p in proposals}
    for proposal_id, sums in ledger.sums_by_key(session, paid_in(period)).items():
        for (_contract, payee, _kind, _period, _source), amount in sums.items():
            add(payee, bank_of.get(proposal_id, ""), amount, held=True)
    _name_people(session, people)
    result.people = sorted(people.values(), key=lambda d: (d.label.casefold(), d.key))
    result.banks = sorted(bank_totals.values(), key=lambda d: d.label.casefold())
    return result


def _name_people(session: Session, people: dict[str, Difference]) -> None:
    emails = sorted(people)
    if not emails:
        return
    named = select(Collaborator.email, Collaborator.name).where(func.lower(Collaborator.email).in_(emails))
    for email, name in session.execute(named):
        key = (email or "").strip().lower()
        if key in people and name:
            people[key].label = f"{name} ({key})"


def draft_versions(session: Session) -> list[TableVersion]:
    """The drafts a what-if can try, newest first."""
    return list(
        session.scalars(
            select(TableVersion)
            .where(TableVersion.state == VersionState.DRAFT.value)
            .order_by(TableVersion.created_at.desc(), TableVersion.id.desc())
        )
    )


def past_periods(session: Session, today: date) -> list[str]:
    """Periods with ledger history, newest first (the what-if's choices)."""
    from portal.commissions.models import CommissionPeriod

    current = today.strftime("%Y-%m")
    periods = session.scalars(select(CommissionPeriod.period).order_by(CommissionPeriod.period.desc()))
    return [p for p in periods if p <= current]
