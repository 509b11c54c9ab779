"""Storing an import's batches while the next one is read.

On PostgreSQL the kind's `persist` runs in one background thread: the database stores
batch k (COPY, index upkeep: work done by the server, the client waits with the GIL
released) while this thread reads and types batch k+1. One batch is in flight at a time
and the caller touches the session only when nothing is in flight, so the session is
never used by two threads at once. Everything stays in the caller's transaction.
SQLite (one connection per thread), and kinds that run domain services per row, store
each batch inline.

Results come back in the order the batches were sent, with the row errors read before
each batch, so the import's list of problems is the same as when stored inline.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from portal.core.imports.kinds import Record

Batch = list[tuple[int, Record]]
#: (row errors read before the batch, rows in the batch, rows refused: (line, reason[, what]))
Done = Callable[[list[Any], int, list[tuple[Any, ...]]], None]
Refused = list[tuple[Any, ...]]


class BatchWriter:
    """`send(batch, errors)` stores a batch; `done(...)` is called (in the caller's thread)
    once it is stored. `close()` waits for the last one."""

    def __init__(
        self, session: Session, persist: Callable[[Batch], Refused], done: Done, *, concurrent: bool = True
    ):
        self._persist = persist
        self._done = done
        # Only kinds that store in bulk (no domain services, hooks or registries that
        # expect the caller's thread) are stored from the background thread.
        threaded = concurrent and session.get_bind().dialect.name == "postgresql"
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-writer") if threaded else None
        self._pending: tuple[Future[Refused], list[Any], int] | None = None

    def send(self, batch: Sequence[tuple[int, Record]], errors: list[Any]) -> None:
        rows = list(batch)
        self._collect()
        if self._pool is None or not rows:
            self._done(errors, len(rows), self._persist(rows) if rows else [])
            return
        self._pending = (self._pool.submit(self._persist, rows), errors, len(rows))

    def _collect(self) -> None:
        if self._pending is not None:
            future, errors, size = self._pending
            self._pending = None
            self._done(errors, size, future.result())

    def close(self) -> None:
        """Wait for the batch in flight and account for it."""
        self._collect()

    def abandon(self) -> None:
        """After a failure: wait for the batch in flight (the caller rolls back), ignore it."""
        if self._pending is not None:
            future = self._pending[0]
            self._pending = None
            with contextlib.suppress(BaseException):  # the caller's failure wins
                future.result()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abandon()
