"""What a flush changed on `Proposal` rows, for the rollups kept in the writing transaction
(the board's `portal.proposals.rollup` and the production tables of `portal.insights`).

`changes` turns a session's new, dirty and deleted objects into (values, sign) pairs: +1
for what a proposal now counts towards, -1 for what it counted towards before. `upsert_adding`
adds the resulting deltas to their rows in one `INSERT ... ON CONFLICT DO UPDATE SET n = n +
excluded.n` per chunk (SQLite and PostgreSQL), in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, inspect

from portal.proposals.models import Proposal

UPSERT_CHUNK = 1000  # rows per statement (SQLite limits bound parameters)


def old_and_new(proposal: Proposal, tracked: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The tracked attributes before and after the flush, and whether any of them changed."""
    state = inspect(proposal)
    old, new, changed = {}, {}, False
    for name in tracked:
        history = state.attrs[name].history
        current = getattr(proposal, name)
        new[name] = current
        if history.deleted:
            old[name] = history.deleted[0]
            changed = changed or history.deleted[0] != current
        else:
            old[name] = history.unchanged[0] if history.unchanged else current
    return old, new, changed


def changes(
    new: Iterable[Any], dirty: Iterable[Any], deleted: Iterable[Any], tracked: Sequence[str]
) -> Iterator[tuple[dict[str, Any], int]]:
    """(tracked values, +1 or -1) for every proposal a flush created, changed or deleted."""
    for obj in new:
        if isinstance(obj, Proposal):
            yield {name: getattr(obj, name) for name in tracked}, 1
    for obj in dirty:
        if isinstance(obj, Proposal):
            old, now, changed = old_and_new(obj, tracked)
            if changed:
                yield old, -1
                yield now, 1
    for obj in deleted:
        if isinstance(obj, Proposal):
            yield old_and_new(obj, tracked)[0], -1


def upsert_adding(
    connection: Connection, table: Table, key: Sequence[str], sums: Sequence[str], rows: list
) -> None:
    """Insert `rows` (dicts of key and sum columns), adding the sums to the rows that
    already exist; in the given order (callers sort by key, so row locks come in one order)."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    else:  # pragma: no cover - the two databases the portal supports
        raise RuntimeError(f"rollup: banco sem suporte a upsert: {dialect}")
    for start in range(0, len(rows), UPSERT_CHUNK):
        stmt = upsert(table).values(rows[start : start + UPSERT_CHUNK])
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key), set_={name: table.c[name] + stmt.excluded[name] for name in sums}
        )
        connection.execute(stmt)
