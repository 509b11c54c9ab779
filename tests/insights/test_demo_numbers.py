"""On the demo data, the dashboard's numbers equal raw SQL aggregates over the proposals
and the ledger (company-wide for the manager, the team for the supervisor)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select, text

from portal.demo import seed
from portal.insights import dashboard
from portal.insights.filters import Filters, add_months
from portal.people.models import User
from portal.proposals import sla

CENTS = Decimal("0.01")


def _sql(db, postgres: str, sqlite: str, **params):
    statement = postgres if db.get_bind().dialect.name == "postgresql" else sqlite
    return db.execute(text(statement), params).all()


LOCAL_MONTH_PG = "to_char(timezone('America/Sao_Paulo', coalesce(submitted_at, created_at)), 'YYYY-MM')"
LOCAL_MONTH_LITE = "strftime('%Y-%m', coalesce(submitted_at, created_at), '-3 hours')"


def _production_by_bank(db, first: str, last: str, where: str = "") -> dict[str, tuple]:
    query = (
        "SELECT bank_code, count(*), sum(gross_amount), sum(coalesce(net_amount, 0)),"
        " sum(CASE WHEN status IN ('paid','settled_early','refinanced_away','ported_out','fraud','death')"
        " THEN 1 ELSE 0 END) FROM proposals WHERE {month} BETWEEN :first AND :last {where} GROUP BY bank_code"
    )
    rows = _sql(
        db,
        query.format(month=LOCAL_MONTH_PG, where=where),
        query.format(month=LOCAL_MONTH_LITE, where=where),
        first=first,
        last=last,
    )
    return {
        bank: (n, Decimal(gross) * CENTS, Decimal(net) * CENTS, paid) for bank, n, gross, net, paid in rows
    }


def _context(db, user, filters, today):
    return dashboard.context(
        db,
        user,
        filters,
        now=datetime.combine(today, datetime.min.time(), UTC),
        today=today,
        bank_names={},
        sla_limits=sla.limits(db),
    )


def _table(tables, slug):
    return next(t for t in tables if t.slug == slug)


def test_demo_dashboard_equals_raw_sql(app, db):
    with app.app_context():
        seed(db)
    db.flush()
    span = "SELECT min({m}), max({m}) FROM proposals"
    first, last = _sql(db, span.format(m=LOCAL_MONTH_PG), span.format(m=LOCAL_MONTH_LITE))[0]
    first = max(first, add_months(last, -35))
    today = date(int(last[:4]), int(last[5:7]), 15)
    manager = db.scalar(select(User).where(User.email == "gerente@demo.athenas"))
    filters = Filters(first, last)
    tables = dashboard.build(_context(db, manager, filters, today))

    raw = _production_by_bank(db, first, last)
    shown = {
        row[0].value: (row[1].value, row[2].value, row[3].value, row[4].value)
        for row in _table(tables, "producao-bank_code").rows
    }
    assert shown == raw and sum(v[0] for v in raw.values()) > 1000

    gains = _sql(
        db,
        "SELECT bank_code,"
        " sum(CASE WHEN payee = 'empresa' AND kind <> 'estorno' THEN amount ELSE 0 END),"
        " sum(CASE WHEN payee = 'empresa' AND kind = 'estorno' THEN amount ELSE 0 END),"
        " sum(CASE WHEN payee <> 'empresa' THEN amount ELSE 0 END)"
        " FROM commission_ledger WHERE posting_period BETWEEN :first AND :last GROUP BY bank_code",
        "SELECT bank_code,"
        " sum(CASE WHEN payee = 'empresa' AND kind <> 'estorno' THEN amount ELSE 0 END),"
        " sum(CASE WHEN payee = 'empresa' AND kind = 'estorno' THEN amount ELSE 0 END),"
        " sum(CASE WHEN payee <> 'empresa' THEN amount ELSE 0 END)"
        " FROM commission_ledger WHERE posting_period BETWEEN :first AND :last GROUP BY bank_code",
        first=first,
        last=last,
    )
    # Target lines (posted at a period's close) belong to no bank: "Sem banco".
    raw_gains = {b or "Sem banco": tuple(Decimal(v) * CENTS for v in values) for b, *values in gains}
    shown_gains = {
        row[0].value: (row[1].value, row[2].value, row[3].value)
        for row in _table(tables, "ganhos-bank_code").rows
    }
    assert shown_gains == raw_gains and any(v[0] for v in raw_gains.values())

    month = today.isoformat()[:7]
    deferred = (
        "SELECT posting_period, sum(amount) FROM commission_ledger"
        " WHERE payee = 'empresa' AND kind = 'diferido'"
        " AND posting_period > :now AND posting_period <= :end GROUP BY posting_period"
    )
    forecast = dict(_sql(db, deferred, deferred, now=month, end=add_months(month, 24)))
    shown_forecast = {
        f"{r[0].value[3:]}-{r[0].value[:2]}": r[1].value for r in _table(tables, "previsao-diferido").rows
    }
    assert {m: v for m, v in shown_forecast.items() if v} == {
        m: Decimal(v) * CENTS for m, v in forecast.items() if v
    }

    supervisor = db.scalar(select(User).where(User.email == "supervisor@demo.athenas"))
    units = (
        "SELECT m.org_unit_id FROM org_memberships m"
        " JOIN collaborators c ON c.id = m.collaborator_id WHERE c.user_id = :u"
    )
    team = _sql(db, units, units, u=supervisor.id)[0][0]
    scoped = dashboard.build(_context(db, supervisor, filters, today))
    raw_team = _production_by_bank(db, first, last, f"AND (team_id = {int(team)} OR store_id = {int(team)})")
    shown_team = {
        row[0].value: (row[1].value, row[2].value, row[3].value, row[4].value)
        for row in _table(scoped, "producao-bank_code").rows
    }
    assert shown_team == raw_team
    assert 0 < sum(v[0] for v in raw_team.values()) < sum(v[0] for v in raw.values())
