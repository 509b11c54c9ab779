"""Two finance users close the same period at the same moment on PostgreSQL: exactly one
closes it, the other is told who did. Real connections and commits (cleaned up after)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.commissions import ledger, periods
from portal.commissions.models import CommissionPeriod
from portal.core.audit import Actor, AuditEntry
from portal.core.errors import Conflict
from tests.conftest import BACKEND

PERIOD = "2031-01"  # far from every other test's months


@pytest.mark.skipif(BACKEND != "postgresql", reason="concorrência real só no PostgreSQL")
def test_two_concurrent_closers_close_once(app):
    engine = app.extensions["athenas.db"]["engine"]
    with Session(engine) as session:
        ledger.ensure_periods(session, [PERIOD])
        session.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def closer(name: str) -> None:
        with Session(engine) as session:
            session.execute(select(1))  # connection open before the race starts
            barrier.wait()
            try:
                periods.close_period(session, Actor(None, name), PERIOD)
                session.commit()
                outcome = ("fechou", name)
            except Conflict as error:
                session.rollback()
                outcome = ("recusado", error.message)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=closer, args=(n,)) for n in ("Fábio", "Flávia")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["fechou", "recusado"], outcomes
        winner = next(who for kind, who in outcomes if kind == "fechou")
        refused = next(msg for kind, msg in outcomes if kind == "recusado")
        assert refused == f"O período {PERIOD} já foi fechado por {winner}. Recarregue a página."
        with Session(engine) as session:
            record = session.scalar(select(CommissionPeriod).where(CommissionPeriod.period == PERIOD))
            assert (record.state, record.version, record.closed_by_label) == ("closed", 2, winner)
    finally:
        with Session(engine) as session:
            session.execute(delete(AuditEntry).where(AuditEntry.target == f"commission_period:{PERIOD}"))
            session.execute(delete(CommissionPeriod).where(CommissionPeriod.period == PERIOD))
            session.commit()
