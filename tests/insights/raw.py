"""The dashboards' figures written again from the raw rows, in Python (the rule stated
once more, independently of the rollup code): what every rollup must equal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.commissions.models import LedgerEntry
from portal.insights.models import (
    AgentMonth,
    LedgerMonth,
    LedgerMonthBank,
    ProductionDay,
    ProductionDayBank,
    ProductionMonth,
    ProductionMonthBank,
)
from portal.proposals.models import Proposal

PAID = {"paid", "settled_early", "refinanced_away", "ported_out", "fraud", "death"}
ZERO = Decimal("0.00")


def bucket(status: str) -> str:
    if status in PAID:
        return "paid"
    if status in ("cancelled", "refused"):
        return status
    return "open"


def local_day(moment):
    # São Paulo: UTC-3 all year since 2019.
    return (moment.astimezone(UTC) - timedelta(hours=3)).date()


def production(db) -> tuple[dict, dict, dict]:
    """(day, month, agent) key → (proposals, gross, net), from every proposal."""
    days: dict = defaultdict(lambda: [0, ZERO, ZERO])
    months: dict = defaultdict(lambda: [0, ZERO, ZERO])
    agents: dict = defaultdict(lambda: [0, ZERO, ZERO])
    for p in db.scalars(select(Proposal)):
        day = local_day(p.submitted_at or p.created_at)
        month = day.isoformat()[:7]
        dims = (p.bank_code, p.product, p.agreement, p.store_id or 0, p.team_id or 0, bucket(p.status))
        for table, key in (
            (days, (day, *dims)),
            (months, (month, *dims)),
            (agents, (month, p.agent_id, p.store_id or 0, p.team_id or 0, dims[-1])),
        ):
            table[key][0] += 1
            table[key][1] += p.gross_amount
            table[key][2] += p.net_amount or ZERO
    return tuple({k: tuple(v) for k, v in t.items()} for t in (days, months, agents))  # type: ignore[return-value]


def ledger(db) -> dict:
    """(posting period, bank, product, agreement, store, team, side, kind) → (entries, amount)."""
    proposals = {p.id: p for p in db.scalars(select(Proposal))}
    sums: dict = defaultdict(lambda: [0, ZERO])
    for e in db.scalars(select(LedgerEntry)):
        p = proposals.get(e.proposal_id)
        dims = (p.product, p.agreement, p.store_id or 0, p.team_id or 0) if p else ("", "", 0, 0)
        side = "company" if e.payee == "empresa" else "internal"
        key = (e.posting_period, e.bank_code, *dims, side, e.kind)
        sums[key][0] += 1
        sums[key][1] += e.amount
    return {k: tuple(v) for k, v in sums.items()}


def _nonzero(rows: dict) -> dict:
    return {k: v for k, v in rows.items() if any(v)}


def stored(db) -> tuple[dict, dict, dict, dict]:
    db.flush()
    db.expire_all()
    day = {
        (r.day, r.bank_code, r.product, r.agreement, r.store_id, r.team_id, r.bucket): (
            r.proposals,
            r.gross_amount,
            r.net_amount,
        )
        for r in db.scalars(select(ProductionDay))
    }
    month = {
        (r.month, r.bank_code, r.product, r.agreement, r.store_id, r.team_id, r.bucket): (
            r.proposals,
            r.gross_amount,
            r.net_amount,
        )
        for r in db.scalars(select(ProductionMonth))
    }
    agent = {
        (r.month, r.agent_id, r.store_id, r.team_id, r.bucket): (r.proposals, r.gross_amount, r.net_amount)
        for r in db.scalars(select(AgentMonth))
    }
    led = {
        (r.month, r.bank_code, r.product, r.agreement, r.store_id, r.team_id, r.side, r.kind): (
            r.entries,
            r.amount,
        )
        for r in db.scalars(select(LedgerMonth))
    }
    return _nonzero(day), _nonzero(month), _nonzero(agent), _nonzero(led)


def expected(db) -> tuple[dict, dict, dict, dict]:
    return (*production(db), ledger(db))


def assert_in_step(db) -> None:
    got, want = stored(db), expected(db)
    for name, g, w in zip(("dia", "mês", "corretor", "razão"), got, want, strict=True):
        assert g == w, name
    assert stored_bank(db, ProductionDayBank, "day") == per_bank(want[0]), "dia × banco"
    assert stored_bank(db, ProductionMonthBank, "month") == per_bank(want[1]), "mês × banco"
    assert stored_ledger_bank(db) == ledger_per_bank(want[3]), "razão × banco"


def ledger_per_bank(rows: dict) -> dict:
    """Ledger figures added up per (period, bank, side, kind)."""
    sums: dict = defaultdict(lambda: [0, ZERO])
    for (month, bank, _product, _agreement, _store, _team, side, kind), (n, amount) in rows.items():
        entry = sums[(month, bank, side, kind)]
        entry[0] += n
        entry[1] += amount
    return _nonzero({k: tuple(v) for k, v in sums.items()})


def stored_ledger_bank(db) -> dict:
    return _nonzero(
        {
            (r.month, r.bank_code, r.side, r.kind): (r.entries, r.amount)
            for r in db.scalars(select(LedgerMonthBank))
        }
    )


def per_bank(rows: dict) -> dict:
    """Day or month figures added up per (day or month, bank, bucket)."""
    sums: dict = defaultdict(lambda: [0, ZERO, ZERO])
    for (period, bank, _product, _agreement, _store, _team, bucket_), (n, gross, net) in rows.items():
        entry = sums[(period, bank, bucket_)]
        entry[0] += n
        entry[1] += gross
        entry[2] += net
    return _nonzero({k: tuple(v) for k, v in sums.items()})


def stored_bank(db, model, period: str) -> dict:
    return _nonzero(
        {
            (getattr(r, period), r.bank_code, r.bucket): (r.proposals, r.gross_amount, r.net_amount)
            for r in db.scalars(select(model))
        }
    )
