"""Reconciliation against the real ledger: the worked example (Facta, R$ 10.000,00 gross
paid on 05/03/2026: company flat 6 % = R$ 600,00 in 2026-03, deferred 0,5 % = R$ 50,00 a
month from 2026-04), acceptance posting exactly the difference, disputes, links, a
constant number of statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.commissions.models import LedgerEntry
from portal.commissions.reconciliation import actions, overview, received, rules
from portal.commissions.reconciliation.matching import ItemKey, Outcome
from portal.commissions.reconciliation.service import Status, find_item, reconcile
from portal.core.audit import AuditEntry
from portal.core.errors import Conflict, DomainError
from tests.commissions.helpers import FINANCE, paid_proposal, world
from tests.commissions.reconciliation.helpers import line, report
from tests.pipeline_helpers import count_queries

D = Decimal
AS_OF = date(2026, 6, 15)
FLAT = ItemKey("facta", "2026-03", "CT-EXEMPLO", "flat")


@pytest.fixture
def paid(db, monkeypatch):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5), contract="CT-EXEMPLO")
    return w


def _company_total(db, contract="CT-EXEMPLO") -> Decimal:
    rows = db.scalars(
        select(LedgerEntry.amount).where(LedgerEntry.contract == contract, LedgerEntry.payee == "empresa")
    )
    return sum(rows, D("0.00"))


def test_short_payment_accepted_posts_exactly_the_difference(db, paid):
    line(db, report(db), "CT-EXEMPLO", "598.50", date(2026, 3, 28))
    view = find_item(db, FLAT, AS_OF)
    assert (view.item.outcome, view.item.difference, view.status) == (Outcome.SHORT, D("-1.50"), Status.OPEN)
    before, entries = _company_total(db), db.scalar(select(func.count()).select_from(LedgerEntry))
    actions.accept(db, FINANCE, FLAT, "Banco arredondou a taxa", AS_OF)
    assert _company_total(db) == before - D("1.50")
    assert (
        db.scalar(select(func.count()).select_from(LedgerEntry)) == entries + 1
    )  # appended, nothing changed
    entry = db.scalar(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))
    assert (entry.source, entry.kind, entry.amount, entry.competence, entry.reason) == (
        "reconciliation",
        "ajuste",
        D("-1.50"),
        "2026-03",
        "Banco arredondou a taxa",
    )
    assert (
        db.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))
        == "reconciliation.accepted"
    )
    view = find_item(db, FLAT, AS_OF)
    assert view.status == Status.ACCEPTED and view.open_difference == D("0.00")
    with pytest.raises(Conflict):
        actions.accept(db, FINANCE, FLAT, "de novo, por engano", AS_OF)
    with pytest.raises(DomainError, match="motivo"):
        actions.accept(db, FINANCE, ItemKey("facta", "2026-04", "CT-EXEMPLO", "diferido"), "", AS_OF)


def test_missing_deferred_after_the_banks_days_and_not_before(db, paid):
    rules.set_rules(db, FINANCE, "facta", D("0.05"), 20)
    key = ItemKey("facta", "2026-04", "CT-EXEMPLO", "diferido")
    assert find_item(db, key, date(2026, 5, 20)).item.outcome == Outcome.PENDING  # 30/04 + 20 days
    late = find_item(db, key, date(2026, 5, 21))
    assert late.item.outcome == Outcome.MISSING and late.item.difference == D("-50.00")


def test_dispute_lifecycle(db, paid):
    line(db, report(db), "CT-EXEMPLO", "550.00", date(2026, 3, 28))
    dispute = actions.open_dispute(db, FINANCE, FLAT, "Banco pagou R$ 50,00 a menos", "PROT-1", AS_OF)
    assert (dispute.state, dispute.difference) == ("open", D("-50.00"))
    assert find_item(db, FLAT, AS_OF).status == Status.DISPUTED
    with pytest.raises(DomainError, match="em disputa"):
        actions.accept(db, FINANCE, FLAT, "Aceitar mesmo assim", AS_OF)
    actions.close_dispute(db, FINANCE, dispute.id, "banco_recusou", "Banco manteve o valor")
    assert find_item(db, FLAT, AS_OF).status == Status.OPEN  # still a difference to accept
    with pytest.raises(Conflict):
        actions.close_dispute(db, FINANCE, dispute.id, "outro", "Fechar outra vez")
    actions.accept(db, FINANCE, FLAT, "Banco recusou a disputa", AS_OF)
    assert find_item(db, FLAT, AS_OF).status == Status.ACCEPTED


def test_unknown_contract_linked_then_matched(db, paid):
    line(db, report(db), "FACTA-0077", "50.00", date(2026, 4, 30), component="diferido", installment=1)
    key = ItemKey("facta", "2026-04", "FACTA-0077", "diferido")
    assert find_item(db, key, AS_OF).item.outcome == Outcome.UNKNOWN
    with pytest.raises(DomainError, match="Contrato não encontrado"):
        actions.link_contract(db, FINANCE, "facta", "FACTA-0077", "CT-NADA", "Número interno do banco")
    actions.link_contract(db, FINANCE, "facta", "FACTA-0077", "CT-EXEMPLO", "Número interno do banco")
    view = find_item(db, ItemKey("facta", "2026-04", "CT-EXEMPLO", "diferido"), AS_OF)
    assert view.item.outcome == Outcome.MATCHED and view.item.reported_contract == "FACTA-0077"
    assert find_item(db, key, AS_OF) is None


def test_duplicate_and_unexpected_clawback_accepted(db, paid):
    imp = report(db)
    line(db, imp, "CT-EXEMPLO", "600.00", date(2026, 3, 20))
    line(db, imp, "CT-EXEMPLO", "600.00", date(2026, 3, 21))
    line(db, imp, "CT-EXEMPLO", "-600.00", date(2026, 3, 31), component="estorno")
    items = {
        (v.key.component, v.key.duplicate): v
        for v in reconcile(db, as_of=AS_OF, bank="facta", period="2026-03").items
    }
    assert items[("flat", False)].item.outcome == Outcome.MATCHED
    assert items[("flat", True)].item.outcome == Outcome.DUPLICATE and items[
        ("flat", True)
    ].open_difference == D("600.00")
    claw = items[("estorno", False)]
    assert claw.item.outcome == Outcome.UNEXPECTED_CLAWBACK and claw.open_difference == D("-600.00")
    before = _company_total(db)
    actions.accept(db, FINANCE, claw.key, "Cliente cancelou no prazo", AS_OF)
    actions.accept(db, FINANCE, items[("flat", True)].key, "Banco pagou duas vezes; devolver depois", AS_OF)
    assert _company_total(db) == before  # −600,00 + 600,00


def test_rollup_and_received(db, paid):
    line(db, report(db), "CT-EXEMPLO", "598.50", date(2026, 3, 28))
    received.add_manual(
        db, FINANCE, bank_code="facta", received_on=date(2026, 4, 2), amount=D("598.00"), period="2026-03"
    )
    (row,) = reconcile(db, as_of=AS_OF, bank="facta", period="2026-03").rollup
    assert (row.expected, row.reported, row.received) == (D("600.00"), D("598.50"), D("598.00"))
    assert (row.reported_minus_expected, row.received_minus_reported) == (D("-1.50"), D("-0.50"))
    assert (row.open_items, row.open_difference) == (1, D("-1.50"))


def test_aging_and_exposure(db, paid):
    views = reconcile(db, as_of=date(2026, 7, 15), bank="facta").items
    aging = {r.bank: r for r in overview.aging(views)}["facta"]
    # Nothing reported. Flat 2026-03 ends 31/03: 106 days (>90); deferred 2026-04: 76 (61-90);
    # 2026-05: 45 (31-60); 2026-06: 15 days, within the default 30 days, so not an open item.
    assert dict(aging.counts) == {"90+": 1, "61-90": 1, "31-60": 1}
    assert aging.total_amount == D("-700.00")
    (facta,) = [e for e in overview.exposure(db, date(2026, 7, 15)) if e.bank == "facta"]
    assert facta.deferred_owed == D("450.00")  # July 2026 to March 2027: 9 × R$ 50,00


def test_statement_count_does_not_grow_with_rows(db, monkeypatch, paid):
    def run():
        with count_queries(db.get_bind()) as statements:
            reconcile(db, as_of=AS_OF, bank="facta")
        return len(statements)

    imp = report(db)
    line(db, imp, "CT-EXEMPLO", "600.00", date(2026, 3, 20))
    small = run()
    for n in range(5):
        paid_proposal(db, monkeypatch, paid, date(2026, 3, 6 + n), contract=f"CT-{n}")
        line(db, imp, f"CT-{n}", "600.00", date(2026, 3, 20))
        line(db, imp, f"X-{n}", "10.00", date(2026, 3, 20))
    assert run() == small


def test_months_still_to_come_are_exposure_not_divergences(db, paid):
    # Deferred R$ 50,00 a month runs 2026-04 … 2027-03; on 15/06/2026 only 2026-03 (flat)
    # to 2026-06 are due. The later months show only when asked for by period.
    periods = sorted({row.period for row in reconcile(db, as_of=AS_OF, bank="facta").rollup})
    assert periods == ["2026-03", "2026-04", "2026-05", "2026-06"]
    (later,) = reconcile(db, as_of=AS_OF, bank="facta", period="2026-09").rollup
    assert (later.expected, later.reported) == (D("50.00"), D("0.00"))


def test_tolerance_scheduled_for_later_leaves_todays_result_and_applies_from_its_date(db, paid):
    line(db, report(db), "CT-EXEMPLO", "598.50", date(2026, 3, 28))  # R$ 1,50 short
    added = rules.schedule_rules(db, FINANCE, "facta", D("2.00"), 30, date(2026, 7, 1), AS_OF)
    assert added == 1  # only the tolerance changes: the 30 days stay
    assert find_item(db, FLAT, AS_OF).item.outcome == Outcome.SHORT  # 15/06: R$ 0,05 still
    assert find_item(db, FLAT, date(2026, 6, 30)).item.outcome == Outcome.SHORT
    assert find_item(db, FLAT, date(2026, 7, 1)).item.outcome == Outcome.MATCHED  # within R$ 2,00
    with pytest.raises(DomainError, match="passado não é alterado"):
        rules.schedule_rules(db, FINANCE, "facta", D("1.00"), 30, date(2026, 6, 14), AS_OF)
    (version,) = rules.rules_history(db)
    assert (version.scope, version.previous_value, version.value) == ("facta", "0.05", "2")
