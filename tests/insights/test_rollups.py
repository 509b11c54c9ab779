"""The dashboards' rollups stay equal to the raw aggregates through proposal creates,
moves and edits and ledger appends (hand-checked values, random sequences), and the
rebuild command recomputes the same rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.commissions import ledger
from portal.commissions.models import EntrySource
from portal.commissions.types import Line, LineKind
from portal.core.audit import Actor
from portal.insights.models import ProductionDay, ProductionMonth
from portal.insights.rebuild import rebuild_all
from portal.proposals.services import change_status
from tests import factories
from tests.insights.raw import assert_in_step, stored

OPS = Actor(id=None, label="operador@teste")
D = Decimal
STATUSES = ["submitted", "pending", "paid", "refused", "cancelled", "settled_early", "endorsed"]
BANKS = ["facta", "c6", "daycoval"]
PRODUCTS = ["new", "refin", "card"]
AGREEMENTS = ["INSS", "SIAPE"]
KINDS = ["flat", "diferido", "estorno", "repasse", "override"]


def test_hand_counted_days_months_and_buckets(db, org):
    # 02:00 UTC on 10/03 is still 09/03 in São Paulo: the day the proposals list filters on.
    early = factories.proposal(
        db, org.client, gross_amount=D("1000.00"), net_amount=D("900.00"),
        submitted_at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC),
    )  # fmt: skip
    factories.proposal(
        db, org.client, bank_code="c6", gross_amount=D("500.00"), net_amount=D("400.00"),
        submitted_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
    )  # fmt: skip
    other = factories.proposal(
        db, org.other_client, gross_amount=D("200.00"), net_amount=None,
        submitted_at=datetime(2026, 4, 1, 2, 59, tzinfo=UTC),
    )  # fmt: skip
    change_status(db, OPS, early, "refused", reason="Reprovada")
    db.flush()
    team_a, store_a = org.team_a.id, org.store_a.id
    team_b, store_b = org.team_b.id, org.store_b.id
    days = {
        (r.day, r.bank_code, r.store_id, r.team_id, r.bucket): (r.proposals, r.gross_amount, r.net_amount)
        for r in db.scalars(select(ProductionDay))
        if r.proposals
    }
    assert days == {
        (date(2026, 3, 9), "facta", store_a, team_a, "refused"): (1, D("1000.00"), D("900.00")),
        (date(2026, 3, 10), "c6", store_a, team_a, "open"): (1, D("500.00"), D("400.00")),
        (date(2026, 3, 31), "facta", store_b, team_b, "open"): (1, D("200.00"), D("0.00")),
    }
    months = {
        (r.month, r.bank_code, r.bucket): r.proposals
        for r in db.scalars(select(ProductionMonth))
        if r.proposals
    }
    assert months == {
        ("2026-03", "facta", "refused"): 1,
        ("2026-03", "c6", "open"): 1,
        ("2026-03", "facta", "open"): 1,
    }
    other.gross_amount = D("250.00")
    change_status(db, OPS, other, "cancelled", reason="Desistiu")
    assert_in_step(db)
    assert (date(2026, 3, 31), "facta", store_b, team_b, "open") not in {
        (r.day, r.bank_code, r.store_id, r.team_id, r.bucket)
        for r in db.scalars(select(ProductionDay))
        if r.proposals
    }


def _ledger_row(proposal_id, bank, payee, kind, period, amount):
    line = Line(f"CT-{proposal_id}", payee, LineKind(kind), period, D("1000.00"), None, amount, "teste")
    return ledger.entry_values(
        line,
        rule=ledger.PostingRule(None),
        batch_id=ledger.new_batch_id(),
        source=EntrySource.MANUAL,
        actor=OPS,
        bank_code=bank,
        proposal_id=proposal_id,
        payee=ledger.Payee(payee),
    )


def test_ledger_appends_count_per_proposal_dimensions_and_side(db, org):
    p = factories.proposal(db, org.other_client, product="refin", agreement="SIAPE")
    ledger.append(db, [
        _ledger_row(p.id, "facta", "empresa", "flat", "2026-03", D("600.00")),
        _ledger_row(p.id, "facta", "empresa", "estorno", "2026-03", D("-150.00")),
        _ledger_row(p.id, "facta", "ana@teste", "repasse", "2026-03", D("240.00")),
        _ledger_row(None, "facta", "ana@teste", "repasse", "2026-03", D("10.00")),
    ])  # fmt: skip
    rows = stored(db)[3]
    store, team = org.store_b.id, org.team_b.id
    assert rows == {
        ("2026-03", "facta", "refin", "SIAPE", store, team, "company", "flat"): (1, D("600.00")),
        ("2026-03", "facta", "refin", "SIAPE", store, team, "company", "estorno"): (1, D("-150.00")),
        ("2026-03", "facta", "refin", "SIAPE", store, team, "internal", "repasse"): (1, D("240.00")),
        ("2026-03", "facta", "", "", 0, 0, "internal", "repasse"): (1, D("10.00")),
    }
    assert_in_step(db)


operation = st.one_of(
    st.tuples(
        st.just("create"), st.sampled_from(BANKS), st.sampled_from(PRODUCTS), st.sampled_from(AGREEMENTS),
        st.booleans(), st.integers(1, 10**7), st.integers(0, 10**7), st.integers(0, 24 * 90),
    ),
    st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(STATUSES)),
    st.tuples(st.just("amount"), st.integers(0, 50), st.integers(1, 10**7)),
    st.tuples(st.just("redate"), st.integers(0, 50), st.integers(0, 24 * 90)),
    st.tuples(
        st.just("post"), st.integers(-1, 50), st.sampled_from(BANKS), st.booleans(), st.sampled_from(KINDS),
        st.sampled_from(["2026-01", "2026-02", "2026-07"]), st.integers(-10**6, 10**6),
    ),
)  # fmt: skip

START = datetime(2026, 1, 1, 1, 30, tzinfo=UTC)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, min_size=1, max_size=15))
def test_random_proposal_and_ledger_changes_keep_rollups_equal_to_raw_aggregates(db, org, steps):
    savepoint = db.begin_nested()
    try:
        made = []
        for step in steps:
            kind = step[0]
            if kind == "create":
                _, bank, product, agreement, other, gross, net, hours = step
                made.append(
                    factories.proposal(
                        db,
                        org.other_client if other else org.client,
                        bank_code=bank,
                        product=product,
                        agreement=agreement,
                        gross_amount=D(gross) / 100,
                        net_amount=D(net) / 100,
                        submitted_at=START + timedelta(hours=hours),
                    )  # fmt: skip
                )
            elif kind == "post":
                _, index, bank, company, line_kind, period, cents = step
                proposal_id = made[index % len(made)].id if made and index >= 0 else None
                payee = "empresa" if company else "ana@teste"
                ledger.append(db, [_ledger_row(proposal_id, bank, payee, line_kind, period, D(cents) / 100)])
            elif made:
                target = made[step[1] % len(made)]
                if kind == "move":
                    target.status = step[2]  # any write path flushes the same attribute
                elif kind == "amount":
                    target.gross_amount = D(step[2]) / 100
                else:
                    target.submitted_at = START + timedelta(hours=step[2])
            db.flush()
        assert_in_step(db)
    finally:
        savepoint.rollback()


def test_rebuild_recomputes_the_rows_the_writes_kept(db, org, app):
    p = factories.proposal(db, org.client, submitted_at=datetime(2026, 2, 28, 23, 0, tzinfo=UTC))
    factories.proposal(
        db, org.other_client, bank_code="c6", submitted_at=datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    )
    change_status(db, OPS, p, "cancelled", reason="Cancelada")
    ledger.append(db, [_ledger_row(p.id, "facta", "empresa", "flat", "2026-03", D("12.34"))])
    kept = stored(db)
    done = rebuild_all(db)
    assert stored(db) == kept
    assert (done.days, done.months, done.agents, done.ledger) == (
        len(kept[0]), len(kept[1]), len(kept[2]), len(kept[3]),
    )  # fmt: skip
    assert_in_step(db)


def test_rebuild_command_reports_the_rows(app, db, org):
    factories.proposal(db, org.client, submitted_at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    db.commit()
    result = app.test_cli_runner().invoke(args=["insights", "rebuild"])
    assert result.exit_code == 0, result.output
    assert (
        "Resumos dos painéis recalculados: 1 linha(s) por dia, 1 por mês, 1 por corretor e 0 do razão."
        in result.output
    )
