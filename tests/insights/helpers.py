"""Small fixture data for the home pages: the commission world of tests.commissions (Ana,
40 % plan, Facta flat 6 % + deferred 0,5 %) with targets, a second agent in another
store, proposals paid on fixed days, pendencies, statements and disputes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from portal.commissions import plans
from portal.commissions.models import CommissionPeriod, LedgerEntry
from portal.commissions.statements.models import Statement, StatementDispute, StatementLine
from portal.commissions.types import PlanBasis, Tier
from portal.proposals import pendencies
from portal.proposals.pipeline_models import Pendency, PendencyType
from tests import factories
from tests.commissions.helpers import FINANCE, World, move, paid_proposal, world

D = Decimal
TODAY = date(2026, 6, 15)


@dataclass
class Homes:
    w: World
    bruno: object
    bruno_user: object
    ana_open: object  # a proposal of Ana's under analysis (pendencies hang on it)
    bruno_open: object


def _pendency(db, proposal, owner: str, due: date | None, resolved: bool = False) -> Pendency:
    kind = db.scalars(select(PendencyType).order_by(PendencyType.id)).first()
    row = Pendency(
        proposal_id=proposal.id,
        type_id=kind.id,
        owner_kind=owner,
        due_on=due,
        opened_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        resolved_at=datetime(2026, 6, 2, 12, tzinfo=UTC) if resolved else None,
    )
    db.add(row)
    db.flush()
    return row


def _noon(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def statement(db, collaborator, period: str, state: str, payable: str, approved: date | None = None):
    """A statement row (as the statement service leaves it) with one line of the payee's."""
    record = db.scalar(select(CommissionPeriod).where(CommissionPeriod.period == period))
    if record is None:
        record = CommissionPeriod(period=period, state="closed")
        db.add(record)
        db.flush()
    zero = D("0.00")
    s = Statement(
        period_id=record.id, period=period, payee=collaborator.email or collaborator.name,
        collaborator_id=collaborator.id, payee_name=collaborator.name, store_name="Loja", state=state,
        earned=D(payable), overrides=zero, bonuses=zero, clawbacks=zero, adjustments=zero,
        carried_in=zero, carried_out=zero, payable=D(payable), content_hash="0" * 64,
        approved_at=_noon(approved),
    )  # fmt: skip
    db.add(s)
    db.flush()
    return s


def dispute(db, s: Statement) -> StatementDispute:
    entry = db.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).first()
    line = StatementLine(
        statement_id=s.id, line_no=1, ledger_entry_id=entry.id, competence=s.period, contract="CT",
        kind="repasse", kind_label="Repasse", base=D("1.00"), amount=D("1.00"), explanation="linha",
    )  # fmt: skip
    db.add(line)
    db.flush()
    row = StatementDispute(statement_id=s.id, line_id=line.id, comment="Valor errado", raised_by_label="Ana")
    db.add(row)
    db.flush()
    return row


def build(db, monkeypatch) -> Homes:
    """Ana (team "Equipe", plan 40 % with targets R$ 12.000 / R$ 20.000 from March) and
    Bruno (another store, plan 40 %): March payments Ana 10.000 + 5.000, Bruno 7.000;
    February Ana 3.000."""
    w = world(db)
    plans.set_plan(
        db, FINANCE, collaborator_id=w.agent.id, valid_from=date(2026, 3, 1), basis=PlanBasis.COMMISSION,
        percent=D("40"), tiers=[Tier(D("12000.00"), D("45")), Tier(D("20000.00"), D("50"))],
    )  # fmt: skip
    other_store = factories.org_unit(db, "store", "Loja Norte")
    other_team = factories.org_unit(db, "team", "Equipe Norte", other_store)
    bruno_user = factories.user(db, role="agent", name="Bruno Vendedor")
    bruno = factories.collaborator(
        db, bruno_user, other_team, name="Bruno Vendedor", email="bruno@teste.athenas"
    )
    plans.set_plan(
        db, FINANCE, collaborator_id=bruno.id, valid_from=date(2025, 1, 1), basis=PlanBasis.COMMISSION,
        percent=D("40"),
    )  # fmt: skip
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5), "10000.00", contract="CT-A1")
    paid_proposal(db, monkeypatch, w, date(2026, 3, 20), "5000.00", contract="CT-A2")
    paid_proposal(db, monkeypatch, w, date(2026, 2, 10), "3000.00", contract="CT-A0")
    bruno_client = factories.client(db, bruno)
    b1 = factories.proposal(
        db, bruno_client, bruno, status="endorsed", gross_amount=D("7000.00"), contract_number="CT-B1"
    )
    move(db, monkeypatch, b1, "paid", date(2026, 3, 10))
    pendencies.ensure_default_types(db)
    ana_open = factories.proposal(db, w.client, w.agent, status="under_analysis")
    bruno_open = factories.proposal(db, bruno_client, bruno, status="under_analysis")
    return Homes(w, bruno, bruno_user, ana_open, bruno_open)


def add_pendencies(db, h: Homes) -> None:
    """Ana: agent-owned overdue (10/06) and upcoming (20/06), an operations one overdue,
    a resolved one; Bruno: one agent-owned overdue."""
    _pendency(db, h.ana_open, "agent", date(2026, 6, 10))
    _pendency(db, h.ana_open, "agent", date(2026, 6, 20))
    _pendency(db, h.ana_open, "operations", date(2026, 6, 1))
    _pendency(db, h.ana_open, "agent", date(2026, 6, 1), resolved=True)
    _pendency(db, h.bruno_open, "agent", date(2026, 6, 5))
