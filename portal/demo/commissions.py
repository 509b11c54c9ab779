"""Demo commissions (idempotent: skipped once any table version exists).

Approved tables for the demo banks (one row per product, within the regulatory cap),
a plan for every selling collaborator (Ana with a target tier), supervisor and manager
override rates, and ledger history built by posting the demo proposals paid in the last
three months: the two older months closed, the current one open, plus a few clawbacks of
contracts that ended early.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions import periods, plans, posting, tables
from portal.commissions.contracts import local_day
from portal.commissions.ledger import previous_month
from portal.commissions.models import EntrySource, TableVersion
from portal.commissions.recalc import month_bounds
from portal.commissions.types import ANY, CalcBase, ClawbackRule, PlanBasis, TableRow, Tier, TierMode
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.demo.proposals import PRODUCTS
from portal.people.models import Collaborator, OrgKind, OrgUnit
from portal.proposals.models import Proposal
from portal.proposals.services import change_status
from portal.proposals.statuses import Status

FINANCE = Actor(id=None, label="Fábio Financeiro (demonstração)")
D = Decimal
SELLERS = {"agent": "40", "partner": "35", "counter": "30", "employee": "20"}
# product -> (base, flat %, deferred % per month, months, bonus %, fixed R$, window days, rule)
TERMS = {
    "new": (CalcBase.GROSS, "5.5", "0.25", 12, "0.5", "0.00", 90, ClawbackRule.PRO_RATA),
    "refin": (CalcBase.NET, "4", "0.2", 12, "0", "0.00", 90, ClawbackRule.PRO_RATA),
    "portability": (CalcBase.NET, "2.5", "0.2", 24, "0.5", "0.00", 180, ClawbackRule.PRO_RATA),
    "portability_refin": (CalcBase.NET, "2.5", "0.2", 24, "0", "0.00", 180, ClawbackRule.PRO_RATA),
    "card": (CalcBase.GROSS, "6", "0", 0, "0", "15.00", 60, ClawbackRule.FULL),
    "benefit_card": (CalcBase.GROSS, "6", "0", 0, "0", "15.00", 60, ClawbackRule.FULL),
    "fgts": (CalcBase.GROSS, "4", "0", 0, "0", "0.00", 30, ClawbackRule.FULL),
    "clt": (CalcBase.GROSS, "5", "0", 0, "0", "0.00", 60, ClawbackRule.PRO_RATA),
}
START = date(2024, 1, 1)


def table_row(bank: str, product: str, **terms: Any) -> TableRow:
    """A table row for any agreement and table code, 1–120 months, rate 0–10 %, from START
    with no end, gross base, nothing paid and 90 days pro rata unless `terms` say otherwise
    (shared by the demo, the benchmarks and the tests)."""
    values: dict[str, Any] = {
        "agreement": ANY,
        "table_code": ANY,
        "term_from": 1,
        "term_to": 120,
        "rate_from": D("0"),
        "rate_to": D("10"),
        "valid_from": START,
        "valid_to": None,
        "base": CalcBase.GROSS,
        "flat": D("0"),
        "deferred": D("0"),
        "deferred_months": 0,
        "bonus": D("0"),
        "fixed": D("0.00"),
        "clawback_days": 90,
        "clawback_rule": ClawbackRule.PRO_RATA,
        "line_no": 1,
    }
    values.update(terms)
    return TableRow(bank=bank, product=product, **values)


def _rows(bank: str) -> list[TableRow]:
    out = []
    for line_no, product in enumerate(PRODUCTS[bank], start=1):
        base, flat, deferred, months, bonus, fixed, days, rule = TERMS[product]
        out.append(
            table_row(
                bank,
                product,
                base=base,
                flat=D(flat),
                deferred=D(deferred),
                deferred_months=months,
                bonus=D(bonus),
                fixed=D(fixed),
                clawback_days=days,
                clawback_rule=rule,
                line_no=line_no,
            )
        )
    return out


def _plan(session: Session, basis: PlanBasis, percent: str, name: str, **who: Any) -> None:
    """A demo plan in force since START (`who`: collaborator_id or org_unit_id, and any tiers)."""
    plans.set_plan(session, FINANCE, valid_from=START, basis=basis, percent=D(percent), name=name, **who)


def _setup(session: Session) -> None:
    for bank in PRODUCTS:
        version = tables.create_draft(
            session,
            FINANCE,
            bank_code=bank,
            valid_from=START,
            valid_to=None,
            rows=_rows(bank),
            note="Tabela de demonstração",
        )
        tables.approve(session, FINANCE, version)
    for person in session.scalars(
        select(Collaborator).where(Collaborator.role_group.in_([*SELLERS, "referrer"]))
    ):
        if person.role_group == "referrer":
            _plan(
                session, PlanBasis.PRODUCTION, "1", "Indicador: 1% da produção", collaborator_id=person.id
            )
            continue
        tiers = [Tier(D("50000.00"), D("45"))] if person.email == "agente@demo.athenas" else []
        percent = SELLERS[person.role_group]
        _plan(
            session,
            PlanBasis.COMMISSION,
            percent,
            f"{percent}% da comissão",
            collaborator_id=person.id,
            tiers=tiers,
            tier_mode=TierMode.ABOVE,
        )
    sub = session.scalar(select(OrgUnit).where(OrgUnit.kind == OrgKind.SUB_CORRESPONDENT.value).limit(1))
    if sub is not None:
        _plan(session, PlanBasis.COMMISSION, "10", "Substabelecido: 10% da comissão", org_unit_id=sub.id)
    plans.set_override_rate(session, FINANCE, level="supervisor", percent=D("0.30"), valid_from=START)
    plans.set_override_rate(session, FINANCE, level="gerente", percent=D("0.20"), valid_from=START)


def seed_commissions(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(TableVersion)):
        return
    if session.scalar(select(func.count()).select_from(Collaborator)) == 0:
        return
    _setup(session)
    current = local_day(utcnow()).strftime("%Y-%m")
    oldest = previous_month(previous_month(current))
    start, _ = month_bounds(oldest)
    paid = list(session.scalars(select(Proposal).where(Proposal.paid_at >= start).order_by(Proposal.paid_at)))
    posting.sync(session, FINANCE, paid, source=EntrySource.ENGINE)
    for period in (oldest, previous_month(current)):
        periods.close_period(session, FINANCE, period)
    # A few contracts of the last month end early: their clawbacks post in the open month.
    recent = [p for p in paid if p.status == Status.PAID.value][-4:]
    for proposal, status in zip(
        recent,
        [Status.CANCELLED, Status.SETTLED_EARLY, Status.PORTED_OUT, Status.REFINANCED_AWAY],
        strict=False,
    ):
        change_status(session, FINANCE, proposal, status, reason="Demonstração: contrato encerrado")
