"""The ledger rollup, kept in the same transaction as every ledger append.

`portal.commissions.ledger.append` is the one way entries are written (engine postings,
recalculations, manual entries, reconciliation adjustments, period closes); it calls
`on_rows` with the rows it inserted. Their amounts are summed per posting period ×
bank × the proposal's product, agreement, store and team × side × kind and added to
`insights_ledger_month` with one upsert (and per period × bank × side × kind to
`insights_ledger_month_bank`). Entries without a proposal (targets, carried
balances, adjustments) count with product/agreement "" and store/team 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions import ledger
from portal.commissions.types import COMPANY
from portal.insights.models import LedgerMonth, LedgerMonthBank
from portal.insights.production_rollup import Deltas, upsert_deltas
from portal.proposals.models import Proposal

KEY = ("month", "bank_code", "product", "agreement", "store_id", "team_id", "side", "kind")
BANK_KEY = ("month", "bank_code", "side", "kind")
SUMS = ("entries", "amount")
COMPANY_SIDE = "company"
INTERNAL_SIDE = "internal"
LOOKUP_CHUNK = 5000

Dims = tuple[str, str, int, int]
NO_PROPOSAL: Dims = ("", "", 0, 0)


def side_of(payee: str) -> str:
    return COMPANY_SIDE if payee == COMPANY else INTERNAL_SIDE


def proposal_dims(session: Session, ids: set[int]) -> dict[int, Dims]:
    """proposal id → (product, agreement, store, team), a chunked lookup by primary key."""
    out: dict[int, Dims] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        stmt = select(Proposal.id, Proposal.product, Proposal.agreement, Proposal.store_id, Proposal.team_id)
        for pid, product, agreement, store, team in session.execute(stmt.where(Proposal.id.in_(chunk))):
            out[pid] = (product, agreement, store or 0, team or 0)
    return out


def deltas_of(rows: Sequence[dict[str, Any]], dims: dict[int, Dims]) -> Deltas:
    deltas: Deltas = {}
    for row in rows:
        product, agreement, store, team = dims.get(row.get("proposal_id") or 0, NO_PROPOSAL)
        key = (
            row["posting_period"],
            row["bank_code"],
            product,
            agreement,
            store,
            team,
            side_of(row["payee"]),
            row["kind"],
        )
        entry = deltas.setdefault(key, [0, Decimal("0.00")])
        entry[0] += 1
        entry[1] += Decimal(row["amount"])
    return deltas


def on_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add the appended rows to the rollup (the ledger's append listener)."""
    ids = {row["proposal_id"] for row in rows if row.get("proposal_id")}
    deltas = deltas_of(rows, proposal_dims(session, ids))
    upsert_deltas(session.connection(), LedgerMonth.__table__, KEY, SUMS, deltas)  # type: ignore[arg-type]
    upsert_deltas(session.connection(), LedgerMonthBank.__table__, BANK_KEY, SUMS, bank_deltas(deltas))  # type: ignore[arg-type]


def bank_deltas(deltas: Deltas) -> Deltas:
    """The deltas added up per (period, bank, side, kind)."""
    out: Deltas = {}
    for (month, bank, _product, _agreement, _store, _team, side, kind), (n, amount) in deltas.items():
        entry = out.setdefault((month, bank, side, kind), [0, Decimal("0.00")])
        entry[0] += n
        entry[1] += amount
    return out


def register() -> None:
    ledger.on_append(on_rows)
