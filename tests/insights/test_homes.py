"""The home pages' figures equal hand-computed values on small data, stay in the user's
scope, and cost a fixed number of SELECTs whatever the number of rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from portal.insights import homes
from tests import factories
from tests.commissions.reconciliation.helpers import line, report
from tests.insights.helpers import TODAY, add_pendencies, build, dispute, statement
from tests.pipeline_helpers import count_queries

D = Decimal
NOW = datetime(2026, 6, 15, 15, 0, tzinfo=UTC)


def test_agent_home_march_numbers_by_hand(db, monkeypatch):
    h = build(db, monkeypatch)
    add_pendencies(db, h)
    ana_user = db.get(type(h.bruno_user), h.w.agent.user_id)
    may = statement(db, h.w.agent, "2026-05", "approved", "360.00", date(2026, 6, 1))
    statement(db, h.w.agent, "2026-04", "paid", "40.00", date(2026, 5, 2))
    statement(db, h.w.agent, "2026-06", "draft", "99.00")
    dispute(db, may)
    dispute(db, statement(db, h.bruno, "2026-05", "approved", "280.00", date(2026, 6, 1)))

    n = homes.agent_home(db, ana_user, "2026-03", TODAY)

    # Paid in March: 10.000 + 5.000 (February's 3.000 and Bruno's 7.000 are not Ana's March).
    assert (n.contracts, n.production) == (2, D("15000.00"))
    # 40 % of the company's lines posted in March: the flat 6 % of March's payments
    # (10.000 × 6 % × 40 % + 5.000 × 6 % × 40 % = 240 + 120) and February's payment's first
    # deferred 0,5 % (3.000 × 0,5 % × 40 % = 6).
    assert n.earnings == D("366.00")
    # Targets R$ 12.000 (reached) and R$ 20.000 (next): 15.000 / 20.000 = 75 %.
    assert (n.target, n.target_percent) == (D("20000.00"), D("75.0"))
    # Agent-owned and open: due 10/06 (overdue on 15/06) and 20/06; operations' and the
    # resolved one do not count, nor Bruno's.
    assert (n.open_pendencies, n.overdue_pendencies) == (2, 1)
    assert n.open_disputes == 1
    assert [(s.period, s.state) for s in n.last_statements] == [("2026-05", "approved"), ("2026-04", "paid")]
    assert (n.paid_from, n.paid_to) == (date(2026, 3, 1), date(2026, 3, 31))


def test_agent_home_april_counts_the_deferred_lines_only(db, monkeypatch):
    h = build(db, monkeypatch)
    ana_user = db.get(type(h.bruno_user), h.w.agent.user_id)
    n = homes.agent_home(db, ana_user, "2026-04", TODAY)
    # Deferred 0,5 % a month from the month after payment, 40 % of it:
    # (10.000 + 5.000 + 3.000) × 0,5 % × 40 % = 36,00; nothing paid in April.
    assert (n.contracts, n.production, n.earnings) == (0, D("0.00"), D("36.00"))
    assert n.target == D("12000.00") and n.target_percent == D("0.0")


def test_an_agent_never_sees_anothers_numbers(db, monkeypatch):
    h = build(db, monkeypatch)
    add_pendencies(db, h)
    n = homes.agent_home(db, h.bruno_user, "2026-03", TODAY)
    # Bruno: his own 7.000 × 6 % × 40 % = 168,00; his one overdue pendency; no target tiers.
    assert (n.contracts, n.production, n.earnings) == (1, D("7000.00"), D("168.00"))
    assert (n.open_pendencies, n.overdue_pendencies, n.target) == (1, 1, None)
    assert n.last_statements == [] and n.open_disputes == 0


def test_agent_home_costs_the_same_queries_with_more_rows(app, db, monkeypatch):
    h = build(db, monkeypatch)
    ana_user = db.get(type(h.bruno_user), h.w.agent.user_id)
    engine = db.get_bind().engine
    with count_queries(engine) as few:
        homes.agent_home(db, ana_user, "2026-03", TODAY)
    add_pendencies(db, h)
    for period in ("2026-03", "2026-04", "2026-05"):
        statement(db, h.w.agent, period, "approved", "10.00", date(2026, 6, 1))
    for n in range(3):
        factories.proposal(db, h.w.client, h.w.agent, status="under_analysis", gross_amount=D(1000 + n))
    with count_queries(engine) as more:
        homes.agent_home(db, ana_user, "2026-03", TODAY)
    assert len(more) == len(few)


def _limits(db) -> dict[str, int]:
    """Only "em análise" has a limit here: 24 hours."""
    return {"under_analysis": 24}


def test_operations_home_by_hand_and_by_bank(db, monkeypatch):
    h = build(db, monkeypatch)
    add_pendencies(db, h)
    factories.bank(db, "daycoval")
    limits = _limits(db)
    ops = factories.user(db, role="operations")
    h.ana_open.status_changed_at = NOW - timedelta(hours=30)  # over 24 h
    h.bruno_open.status_changed_at = NOW - timedelta(hours=2)
    review = factories.proposal(db, h.w.client, h.w.agent, status="under_analysis", bank_code="daycoval")
    review.needs_review = True
    review.status_changed_at = NOW - timedelta(hours=25)  # over 24 h too
    db.flush()

    n = homes.operations_home(db, ops, TODAY, NOW, limits)
    assert n.needs_review == 1
    assert (n.breached, n.breached_by_status) == (2, [("under_analysis", 2)])
    # Overdue on 15/06: Ana's operations one (01/06) and agent one (10/06), Bruno's (05/06).
    rows = [(r.name, r.count) for r in n.overdue_by_owner]
    assert rows[0] == ("Operações", 1)
    assert sorted(rows[1:]) == sorted([(h.w.agent.name, 1), ("Bruno Vendedor", 1)])
    assert n.overdue_total == 3

    daycoval = homes.operations_home(db, ops, TODAY, NOW, limits, bank="daycoval")
    assert (daycoval.needs_review, daycoval.breached, daycoval.overdue_total) == (1, 1, 0)
    listed = db.scalars(homes.overdue_pendencies_query(db, ops, TODAY, owner_kind="agent")).all()
    assert sorted(p.due_on for p in listed) == [date(2026, 6, 5), date(2026, 6, 10)]


def test_supervisor_sees_only_the_team_in_operations_figures(db, monkeypatch):
    h = build(db, monkeypatch)
    add_pendencies(db, h)
    limits = _limits(db)
    supervisor_user = factories.user(db, role="supervisor")
    h.w.supervisor.user_id = supervisor_user.id
    db.flush()
    n = homes.operations_home(db, supervisor_user, TODAY, NOW, limits)
    assert n.overdue_total == 2  # Ana's two; Bruno is in another store


def test_finance_home_reconciliation_and_payouts_by_hand(db, monkeypatch):
    h = build(db, monkeypatch)
    # The bank paid CT-A1's flat (6 % of 10.000 = 600,00) short by 1,50; CT-A2 not reported.
    line(db, report(db), "CT-A1", "598.50", date(2026, 3, 28))
    statement(db, h.w.agent, "2026-03", "approved", "360.00", date(2026, 6, 1))  # 14 days: late
    statement(db, h.bruno, "2026-03", "approved", "168.00", date(2026, 6, 10))  # 5 days: due
    statement(db, h.w.agent, "2026-02", "approved", "999.00", date(2026, 3, 1))  # other period

    n = homes.finance_home(db, "2026-03", TODAY)

    [facta] = n.banks
    # Expected: the company's March lines: flat 600 (CT-A1) + 300 (CT-A2) + 420 (Bruno's
    # 7.000) and February's CT-A0 first deferred 3.000 × 0,5 % = 15.
    assert (facta.bank, facta.expected, facta.reported) == ("facta", D("1335.00"), D("598.50"))
    # Open: CT-A1 short by 1,50; CT-A2 (300), CT-B1 (420) and CT-A0's deferred (15) not
    # reported 30 days after March ended (the default rule), so missing.
    assert (facta.open_items, facta.missing, facta.open_difference) == (4, 3, D("-736.50"))
    assert facta.status == "Com divergências" and n.totals.missing == 3
    assert (n.payouts_due, n.payouts_late, n.late_count) == (D("168.00"), D("360.00"), 1)


def test_operations_and_finance_homes_cost_the_same_queries_with_more_rows(db, monkeypatch):
    h = build(db, monkeypatch)
    ops = factories.user(db, role="operations")
    engine = db.get_bind().engine
    with count_queries(engine) as few_ops:
        homes.operations_home(db, ops, TODAY, NOW, _limits(db))
    with count_queries(engine) as few_fin:
        homes.finance_home(db, "2026-03", TODAY)
    add_pendencies(db, h)
    for n in range(3):
        other = factories.collaborator(db, None, None, name=f"Agente {n}")
        factories.proposal(db, factories.client(db, other), other, status="under_analysis")
        statement(db, other, "2026-03", "approved", "10.00", date(2026, 6, 1))
    with count_queries(engine) as more_ops:
        homes.operations_home(db, ops, TODAY, NOW, _limits(db))
    with count_queries(engine) as more_fin:
        homes.finance_home(db, "2026-03", TODAY)
    assert (len(more_ops), len(more_fin)) == (len(few_ops), len(few_fin))
