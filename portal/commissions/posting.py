"""Bring the ledger in line with the engine for a set of paid proposals.

One path serves every case: a proposal reaching "paga" (its lines), a paid contract that
ends early (its clawback: the engine then says less, the difference is the reversal), and
a recalculation after a table or plan correction. What the ledger holds is summed per
`Line.key`, compared with what the engine says now, and only differences are appended —
so running it twice appends nothing. Set-based: a constant number of queries and one bulk
insert whatever the number of proposals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from portal.commissions import engine, ledger, tables
from portal.commissions import resolution as engine_rows
from portal.commissions.contracts import END_REASONS, ContractInputs, load_inputs
from portal.commissions.ledger import Key, Payee, PostingRule
from portal.commissions.models import EntrySource, ProposalCommissionRef
from portal.commissions.types import Line, LineKind, TableRow
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.money import format_brl
from portal.proposals.hooks import on_status_change
from portal.proposals.models import Proposal
from portal.proposals.statuses import Status

ZERO = Decimal("0.00")


@dataclass
class SyncResult:
    contracts: int = 0
    entries: int = 0
    total: Decimal = ZERO  # signed sum of what was appended
    batch_id: str = ""
    problems: int = 0  # contracts with no table or an ambiguous one


def _key_line(key: Key) -> Line:
    """A stand-in for a key the engine no longer produces (only its identity is used)."""
    contract, payee, kind, period, source_kind = key
    return Line(
        contract=contract,
        payee=payee,
        kind=LineKind(kind),
        period=period,
        base=ZERO,
        percent=None,
        amount=ZERO,
        explanation="Linha não mais devida pelo cálculo atual",
        source_kind=LineKind(source_kind) if source_kind else None,
    )


def _differences(
    lines: list[Line], held: dict[Key, Decimal]
) -> list[tuple[Line, Decimal | None, str | None]]:
    """(line, amount override, explanation override) to append so the ledger sums to `lines`."""
    wanted: dict[Key, list[Line]] = defaultdict(list)
    for line in lines:
        wanted[line.key].append(line)
    out: list[tuple[Line, Decimal | None, str | None]] = []
    for key in sorted(set(wanted) | set(held)):
        group = wanted.get(key, [])
        want = sum((line.amount for line in group), ZERO)
        have = held.get(key, ZERO)
        if want == have:
            continue
        if have == ZERO:
            out.extend((line, None, None) for line in group if line.amount != ZERO)
            continue
        template = group[0] if group else _key_line(key)
        note = f"Recálculo: de {format_brl(have)} para {format_brl(want)}. {template.explanation}"
        out.append((template, want - have, note))
    return out


def _frozen_refs(session: Session, resolved: dict[int, Any]) -> None:
    """Keep each proposal's reference to the row used (or why none), set-based."""
    if not resolved:
        return
    existing = set(
        session.scalars(
            select(ProposalCommissionRef.proposal_id).where(
                ProposalCommissionRef.proposal_id.in_(sorted(resolved))
            )
        )
    )
    now = utcnow()
    values = []
    for proposal_id, resolution in resolved.items():
        row: TableRow | None = resolution.row
        problem = resolution.problem
        values.append(
            {
                "proposal_id": proposal_id,
                "table_version_id": row.version_id if row is not None else None,
                "table_row_id": row.row_id if row is not None else None,
                "problem": (getattr(problem, "value", problem) or None) if row is None else None,
                "reason": (resolution.reason or None) if row is None else None,
                "resolved_at": now,
            }
        )
    updates = [v for v in values if v["proposal_id"] in existing]
    inserts = [v for v in values if v["proposal_id"] not in existing]
    if updates:
        session.execute(update(ProposalCommissionRef), updates)
    if inserts:
        session.execute(insert(ProposalCommissionRef.__table__), inserts)  # type: ignore[arg-type]


def sync(
    session: Session,
    actor: Actor,
    proposals: Sequence[Proposal],
    *,
    source: EntrySource,
    reason: str | None = None,
    held_filter: Select | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SyncResult:
    """Append what the ledger lacks for `proposals` (paid ones; others are skipped).

    `held_filter`: a SELECT of the same proposals' ids, to read the ledger set-based for
    a month instead of with a long IN list."""
    paid = [p for p in proposals if p.paid_at is not None]
    result = SyncResult(batch_id=ledger.new_batch_id())
    if not paid:
        return result
    inputs = load_inputs(session, paid)
    days = [item.contract.paid_on for item in inputs]
    index = engine_rows.index_rows(
        tables.approved_rows_on(session, {p.bank_code for p in paid}, min(days), max(days))
    )
    held = ledger.sums_by_key(session, held_filter if held_filter is not None else [p.id for p in paid])
    rule = ledger.posting_rule(session)
    entries: list[dict[str, Any]] = []
    resolved: dict[int, Any] = {}
    for done, item in enumerate(inputs, start=1):
        contract = item.contract
        rows = index.get((contract.bank.casefold(), contract.product.casefold()), ())
        resolution = engine.resolve_row(contract, rows)
        resolved[item.proposal.id] = resolution
        if resolution.row is None:
            result.problems += 1
        lines = engine.lines_for(contract, resolution, plans=item.plans, overrides=item.overrides)
        for line, amount, note in _differences(lines, held.get(item.proposal.id, {})):
            entries.append(_entry(item, line, rule, result.batch_id, source, actor, amount, note, reason))
        if progress is not None and done % 1000 == 0:
            progress(done, len(inputs))
    _frozen_refs(session, resolved)
    ledger.append(session, entries)
    result.contracts = len(inputs)
    result.entries = len(entries)
    result.total = sum((e["amount"] for e in entries), ZERO)
    session.flush()
    return result


def _entry(
    item: ContractInputs,
    line: Line,
    rule: PostingRule,
    batch_id: str,
    source: EntrySource,
    actor: Actor,
    amount: Decimal | None,
    note: str | None,
    reason: str | None,
) -> dict[str, Any]:
    collaborator_id, unit_id = item.payees.get(line.payee, (None, None))
    return ledger.entry_values(
        line,
        rule=rule,
        batch_id=batch_id,
        source=source,
        actor=actor,
        bank_code=item.proposal.bank_code,
        proposal_id=item.proposal.id,
        payee=Payee(line.payee, collaborator_id, unit_id),
        amount=amount,
        explanation=note,
        reason=reason,
    )


# ------------------------------------------------------------------ the proposal hook


def on_proposal_status(session: Session, actor: Actor, proposal: Proposal, before: str, after: str) -> None:
    """Paid → post its lines; a paid contract ending early → post its clawback."""
    if after == Status.PAID.value or (after in END_REASONS and proposal.paid_at is not None):
        sync(session, actor, [proposal], source=EntrySource.ENGINE)


def register() -> None:
    """Called once by the app factory: proposals then notify commissions of every move."""
    on_status_change(on_proposal_status)
