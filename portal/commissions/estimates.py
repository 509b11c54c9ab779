"""Expected commission of a simulated offer: what the bank would pay the company and the
agent's share, from the approved tables and the agent's plan, by the same engine.

An offer no approved row covers says so ("sem tabela" / "tabela ambígua" with the
reason), never a silent zero. Overrides and clawbacks are left out: this is the agent's
view of an offer before it is sold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.commissions import engine, tables
from portal.commissions.contracts import collaborator_payee, to_plan
from portal.commissions.models import CommissionPlan
from portal.commissions.resolution import index_rows
from portal.commissions.types import COMPANY, Contract, LineKind
from portal.people.models import Collaborator

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OfferCommission:
    """One offer's expectation; `problem` is set (and the amounts are None) without a row."""

    company: Decimal | None
    company_upfront: Decimal | None
    agent: Decimal | None
    problem: str | None = None  # LineKind label: "Sem tabela" | "Tabela ambígua"
    reason: str = ""
    has_plan: bool = True


def _contract(option: dict[str, Any], agreement: str, on: date, agent: str) -> Contract:
    gross = Decimal(option["gross_amount"])
    net = Decimal(option["net_amount"])
    return Contract(
        number="simulação",
        bank=option["bank"],
        product=option["product"],
        agreement=agreement,
        table_code=option.get("rate_table") or "",
        term_months=int(option["term_months"]),
        monthly_rate=Decimal(option["monthly_rate"]),
        gross=gross,
        net=net,
        cash_out=net,  # what the client receives is the troco of a refinancing
        insurance=ZERO,
        paid_on=on,
        agent=agent,
    )


def offer_commissions(
    session: Session,
    options: Sequence[dict[str, Any]],
    agreement: str,
    collaborator: Collaborator | None,
    on: date,
) -> list[OfferCommission]:
    """One `OfferCommission` per stored simulation option, in order (a few queries)."""
    if not options:
        return []
    agent = collaborator_payee(collaborator.id, collaborator.email) if collaborator else "agente"
    plans = []
    if collaborator is not None:
        records = session.scalars(
            select(CommissionPlan).where(
                CommissionPlan.collaborator_id == collaborator.id,
                CommissionPlan.valid_from <= on,
                or_(CommissionPlan.valid_to.is_(None), CommissionPlan.valid_to >= on),
            )
        )
        plans = [to_plan(record, agent) for record in records]
    index = index_rows(tables.approved_rows_on(session, {o["bank"] for o in options}, on, on))
    out = []
    for option in options:
        contract = _contract(option, agreement, on, agent)
        key = (contract.bank.casefold(), contract.product.casefold())
        resolution = engine.resolve_row(contract, index.get(key, ()))
        if resolution.row is None:
            kind = resolution.problem or LineKind.NO_TABLE
            out.append(OfferCommission(None, None, None, kind.label, resolution.reason, bool(plans)))
            continue
        lines = engine.lines_for(contract, resolution, plans)
        company = [line for line in lines if line.payee == COMPANY]
        out.append(
            OfferCommission(
                company=sum((line.amount for line in company), ZERO),
                company_upfront=sum(
                    (line.amount for line in company if line.kind is not LineKind.DEFERRED), ZERO
                ),
                agent=sum((line.amount for line in lines if line.payee == agent), ZERO),
                has_plan=bool(plans),
            )
        )
    return out
