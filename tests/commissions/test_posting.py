"""Posting on "paga" and the clawback on a cancel after payment: the issue's worked
example, every centavo computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.commissions.models import LedgerEntry, ProposalCommissionRef
from tests.commissions.helpers import move, paid_proposal, world

D = Decimal


def sums(db, proposal_id, **where):
    stmt = select(LedgerEntry.payee, LedgerEntry.kind, func.sum(LedgerEntry.amount), func.count()).where(
        LedgerEntry.proposal_id == proposal_id
    )
    for name, value in where.items():
        stmt = stmt.where(getattr(LedgerEntry, name) == value)
    rows = db.execute(stmt.group_by(LedgerEntry.payee, LedgerEntry.kind)).all()
    return {(payee, kind): (total, n) for payee, kind, total, n in rows}


def test_paid_proposal_posts_every_line(db, monkeypatch):
    w = world(db)
    proposal = paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    got = sums(db, proposal.id)
    assert got == {
        ("empresa", "flat"): (D("600.00"), 1),  # 6 % of R$ 10.000,00
        ("empresa", "diferido"): (D("600.00"), 12),  # 0,5 % = R$ 50,00 × 12 months
        ("ana@teste.athenas", "repasse"): (D("480.00"), 13),  # 40 % of 600 + 40 % of 50 × 12
        ("sup@teste.athenas", "override"): (D("30.00"), 1),  # 0,30 % of the base
    }
    deferred = db.scalars(
        select(LedgerEntry.competence).where(
            LedgerEntry.proposal_id == proposal.id, LedgerEntry.kind == "diferido"
        )
    ).all()
    assert sorted(deferred) == [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]
    flat = db.scalar(
        select(LedgerEntry).where(LedgerEntry.proposal_id == proposal.id, LedgerEntry.kind == "flat")
    )
    assert flat.competence == flat.posting_period == "2026-03"
    assert flat.table_row_id == w.version.rows[0].id and flat.table_version_id == w.version.id
    assert "Facta v1 linha 1" in flat.explanation
    ref = db.get(ProposalCommissionRef, proposal.id)
    assert ref.table_row_id == w.version.rows[0].id and ref.problem is None


def test_cancel_after_payment_posts_pro_rata_clawback_for_everyone(db, monkeypatch):
    w = world(db)
    proposal = paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    move(db, monkeypatch, proposal, "cancelled", date(2026, 3, 25), reason="Cliente desistiu")
    got = sums(db, proposal.id, kind="estorno")
    # 20 of 90 days elapsed: 70/90 of the upfront comes back; every deferral in full.
    assert got == {
        ("empresa", "estorno"): (D("-466.67") - D("600.00"), 13),  # 600×7/9 = 466,666… → 466,67
        ("ana@teste.athenas", "estorno"): (D("-186.67") - D("240.00"), 13),  # 240×7/9 = 186,67
        ("sup@teste.athenas", "estorno"): (D("-23.33"), 1),  # 30×7/9 = 23,333… → 23,33
    }
    balance = sums(db, proposal.id)
    company = sum(v for (payee, _), (v, _n) in balance.items() if payee == "empresa")
    assert company == D("133.33")  # 600 − 466,67 kept


def test_moving_twice_to_paid_states_posts_once(db, monkeypatch):
    w = world(db)
    proposal = paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    before = db.scalar(select(func.count()).select_from(LedgerEntry))
    from portal.commissions import posting
    from tests.commissions.helpers import FINANCE

    result = posting.sync(db, FINANCE, [proposal], source=posting.EntrySource.ENGINE)
    assert result.entries == 0
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == before


def test_ledger_totals_per_payee(db, monkeypatch):
    """Run on SQLite and on PostgreSQL (ATHENAS_TEST_BACKEND): the same centavos."""
    from portal.commissions import queries
    from tests import factories

    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    paid_proposal(db, monkeypatch, w, date(2026, 3, 9), gross="7777.77")
    totals = {
        payee: (amount, n)
        for payee, _name, amount, n in queries.ledger_totals(db, factories.user(db, role="finance"))
    }
    # 7.777,77: flat 466,6662 → 466,67; deferred 38,88885 → 38,89 × 12 = 466,68;
    # repasse 40 %: 186,668 → 186,67 and 15,556 → 15,56 × 12 = 186,72; override 23,33331 → 23,33
    assert totals == {
        "empresa": (D("2133.35"), 26),
        "ana@teste.athenas": (D("853.39"), 26),
        "sup@teste.athenas": (D("53.33"), 2),
    }
