"""Append-only ledger, recalculation, period close, prior-period adjustments, negative
carry and the regulatory cap: behaviour finance relies on, on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal.commissions import manual, periods, plans, queries, recalc, tables
from portal.commissions.models import LedgerEntry, PeriodSnapshot
from portal.commissions.types import PlanBasis
from portal.core.errors import Conflict, DomainError
from tests import factories
from tests.commissions.helpers import FINANCE, move, paid_proposal, row, world
from tests.pipeline_helpers import count_queries

D = Decimal


def total(db, **where) -> Decimal:
    stmt = select(func.coalesce(func.sum(LedgerEntry.amount), 0))
    for name, value in where.items():
        stmt = stmt.where(getattr(LedgerEntry, name) == value)
    return D(db.scalar(stmt)) if not isinstance(db.scalar(stmt), Decimal) else db.scalar(stmt)


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry))


def test_ledger_refuses_update_and_delete(db, monkeypatch):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    entry_id = db.scalar(select(func.min(LedgerEntry.id)))
    for statement in (
        "UPDATE commission_ledger SET amount = 0 WHERE id = :id",
        "DELETE FROM commission_ledger WHERE id = :id",
    ):
        savepoint = db.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            db.execute(text(statement), {"id": entry_id})
        savepoint.rollback()
    assert db.scalar(select(LedgerEntry.amount).where(LedgerEntry.id == entry_id)) != 0


def test_recalc_posts_only_the_correction_and_is_idempotent(db, monkeypatch):
    w = world(db)
    proposal = paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    assert recalc.recalculate(db, FINANCE, "2026-03").entries == 0  # nothing changed yet
    # The bank's table was wrong: flat is 5 %, not 6 %. A new version replaces v1.
    fixed = tables.new_draft_from(db, FINANCE, w.version)
    tables.replace_rows(db, FINANCE, fixed, [row(flat=D("5"))])
    tables.approve(db, FINANCE, fixed)
    before = count(db)
    result = recalc.recalculate(db, FINANCE, "2026-03", "Facta corrigiu o flat para 5%")
    # company flat −100,00 (600 → 500) and the agent's mirror −40,00 (240 → 200)
    assert result.entries == 2 and result.total == D("-140.00")
    new = db.scalars(
        select(LedgerEntry).where(LedgerEntry.id > 0).order_by(LedgerEntry.id.desc()).limit(2)
    ).all()
    assert {(e.payee, e.kind, e.amount) for e in new} == {
        ("empresa", "flat", D("-100.00")),
        ("ana@teste.athenas", "repasse", D("-40.00")),
    }
    assert all(e.source == "recalc" and e.reason == "Facta corrigiu o flat para 5%" for e in new)
    assert all(e.table_version_id == fixed.id for e in new)
    assert count(db) == before + 2
    assert recalc.recalculate(db, FINANCE, "2026-03").entries == 0  # second run: nothing
    assert total(db, proposal_id=proposal.id, payee="empresa", kind="flat") == D("500.00")


def test_correction_to_closed_period_posts_in_next_open_one_as_prior_period(db, monkeypatch):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    periods.close_period(db, FINANCE, "2026-03")
    fixed = tables.new_draft_from(db, FINANCE, w.version)
    tables.replace_rows(db, FINANCE, fixed, [row(flat=D("5"))])
    tables.approve(db, FINANCE, fixed)
    recalc.recalculate(db, FINANCE, "2026-03", "Correção da tabela")
    adjustment = db.scalar(
        select(LedgerEntry).where(LedgerEntry.source == "recalc", LedgerEntry.payee == "empresa")
    )
    assert (adjustment.competence, adjustment.posting_period, adjustment.prior_period) == (
        "2026-03",
        "2026-04",
        True,
    )
    # the closed period's snapshot is untouched: the company's March was its 600,00 flat
    snap = db.scalar(select(PeriodSnapshot).where(PeriodSnapshot.payee == "empresa"))
    assert snap.total == D("600.00")


def test_negative_balance_carries_into_next_period(db, monkeypatch):
    w = world(db)
    proposal = paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    periods.close_period(db, FINANCE, "2026-03")  # agent: 240,00 (flat mirror)
    move(db, monkeypatch, proposal, "cancelled", date(2026, 4, 3), reason="Cancelado")
    # April for the agent: +20,00 (deferred mirror of April, the end month: earned)
    # − 240×(90−29)/90 = −162,67 − 20,00 × 11 deferrals after April = −220,00
    # → 20 − 162,67 − 220 = −362,67
    result = periods.close_period(db, FINANCE, "2026-04")
    assert result.carried >= 1
    snap = db.scalars(select(PeriodSnapshot).where(PeriodSnapshot.payee == w.agent_key)).all()
    april = [s for s in snap if s.carried != 0]
    assert len(april) == 1 and april[0].total == D("-362.67") and april[0].carried == D("-362.67")
    assert total(db, payee=w.agent_key, posting_period="2026-04") == D("0.00")  # carried out
    assert total(db, payee=w.agent_key, posting_period="2026-05", kind="saldo_anterior") == D("-362.67")


def test_close_twice_is_refused_and_periods_close_in_order(db, monkeypatch):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    with pytest.raises(DomainError, match="Feche antes o período 2026-03"):
        periods.close_period(db, FINANCE, "2026-04")
    periods.close_period(db, FINANCE, "2026-03")
    with pytest.raises(Conflict, match="já foi fechado por Financeiro de teste"):
        periods.close_period(db, FINANCE, "2026-03")


def test_cap_blocks_approval_naming_the_row(db):
    factories.regulatory_defaults(db)
    factories.bank(db, "facta")
    version = tables.create_draft(
        db,
        FINANCE,
        bank_code="facta",
        valid_from=date(2026, 1, 1),
        valid_to=None,
        rows=[
            row(line_no=1),  # 6 % flat: exactly the cap, allowed
            row(line_no=2, product="portability", flat=D("2.5"), bonus=D("1")),  # 3,5 % > 3 %
        ],
    )
    with pytest.raises(DomainError, match=r"Linha 2 \(portability.*3,50% acima do teto de 3,00%"):
        tables.approve(db, FINANCE, version)
    assert version.state == "draft"


def test_approved_versions_are_read_only(db):
    w = world(db)
    with pytest.raises(DomainError, match="não pode ser alterada"):
        tables.replace_rows(db, FINANCE, w.version, [row(flat=D("5"))])


def test_compare_lists_added_removed_changed_rows(db):
    w = world(db)
    draft = tables.new_draft_from(db, FINANCE, w.version)
    tables.replace_rows(db, FINANCE, draft, [row(flat=D("5")), row(line_no=2, product="refin", term_to=84)])
    diff = tables.compare(w.version, draft)
    assert [r.product for r in diff.added] == ["refin"]
    assert diff.removed == []
    assert [c.fields for c in diff.changed] == [["flat"]]


def test_manual_entry_needs_a_reason_and_is_audited(db, monkeypatch):
    from portal.core.audit import AuditEntry

    w = world(db)
    with pytest.raises(DomainError, match="motivo"):
        manual.post_manual(
            db, FINANCE, competence="2026-03", amount=D("50.00"), reason="", collaborator_id=w.agent.id
        )
    entry = manual.post_manual(
        db,
        FINANCE,
        competence="2026-03",
        amount=D("50.00"),
        reason="Bônus de campanha",
        collaborator_id=w.agent.id,
    )
    assert (entry.kind, entry.source, entry.amount, entry.payee) == (
        "ajuste",
        "manual",
        D("50.00"),
        w.agent_key,
    )
    audit_entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "commission_ledger.manual_entry"))
    assert audit_entry.details["reason"] == "Bônus de campanha"


def test_ledger_query_is_scoped_and_has_no_n_plus_one(app, db, monkeypatch):
    w = world(db)
    other_team = factories.org_unit(db, "team", "Outra")
    other = factories.collaborator(db, None, other_team, email="outro@teste.athenas")
    plans.set_plan(
        db,
        FINANCE,
        collaborator_id=other.id,
        valid_from=date(2025, 1, 1),
        basis=PlanBasis.COMMISSION,
        percent=D("30"),
    )
    for day in range(2, 12):
        paid_proposal(db, monkeypatch, w, date(2026, 3, day))
    other_client = factories.client(db, other)
    proposal = factories.proposal(db, other_client, other, status="endorsed", contract_number="CT-OUTRO")
    move(db, monkeypatch, proposal, "paid", date(2026, 3, 6))
    agent_user = db.get(type(w.agent.user), w.agent.user_id) if w.agent.user_id else None
    finance_user = factories.user(db, role="finance")
    engine = db.get_bind()
    with count_queries(engine) as statements:
        page = queries.ledger_page(db, finance_user, queries.LedgerFilter(period="2026-03"), per_page=100)
        names = [e.payee_name for e in page.items]
    assert len(statements) == 1
    assert "Colaborador" not in " ".join(n or "" for n in names) or names
    mine = queries.ledger_page(db, agent_user, queries.LedgerFilter(period="2026-03"), per_page=100).items
    assert mine and {e.payee for e in mine} == {w.agent_key}
    assert len(mine) == 10  # ten flat mirrors of March, no company or other agent lines
