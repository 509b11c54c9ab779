"""Short job transactions that survive concurrent writers (the embedded SQLite mode).

SQLite has one writer at a time. A job that reads in a deferred transaction and writes
later fails at once with "database is locked" when a login or an upload committed in
between (its snapshot is stale; waiting does not help), and a job that holds the write
lock for minutes makes every login wait. So jobs write in short steps:
`run_short_transaction` ends whatever transaction the session has open, begins one that
takes the write lock up front (BEGIN IMMEDIATE, waiting up to the busy timeout), runs the
step, commits, and on lock contention rolls back, waits a little and runs the step again.
On PostgreSQL the same code simply commits in steps.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session

from portal.core.db import WRITE_INTENT

log = logging.getLogger("portal.jobs")
T = TypeVar("T")

LOCK_RETRY_SECONDS = 120.0  # on top of the busy timeout each attempt already waits
_WROTE_KEY = "athenas.transaction_wrote"
_LOCK_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_lock_error(error: BaseException) -> bool:
    """True for SQLite's lock contention (busy, stale snapshot), never for other failures."""
    return isinstance(error, OperationalError) and any(m in str(error.orig).lower() for m in _LOCK_MESSAGES)


def track_writes(session: Session) -> None:
    """Remember whether the session's current transaction has written anything, so the
    runner knows when a read-only transaction can simply be ended (see `has_written`)."""

    def _flushed(session_: Session, _context: object) -> None:
        session_.info[_WROTE_KEY] = True

    def _executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[_WROTE_KEY] = True

    def _ended(session_: Session, transaction: object) -> None:
        if getattr(transaction, "parent", None) is None:
            session_.info.pop(_WROTE_KEY, None)

    event.listen(session, "after_flush", _flushed)
    event.listen(session, "do_orm_execute", _executed)
    event.listen(session, "after_transaction_end", _ended)


def has_written(session: Session) -> bool:
    return bool(session.info.get(_WROTE_KEY)) or bool(session.new or session.dirty or session.deleted)


def begin_for_write(session: Session) -> None:
    """Start the session's next transaction holding the write lock (SQLite: BEGIN IMMEDIATE)."""
    session.connection(execution_options={WRITE_INTENT: True})


def run_short_transaction(
    session: Session,
    step: Callable[[], T],
    *,
    retry_seconds: float = LOCK_RETRY_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Commit what the session holds, then run `step` in a write transaction of its own
    and commit it. `step` must be safe to run again: after lock contention its
    transaction is rolled back (the session's objects reload) and it runs once more."""
    if session.in_transaction():
        session.commit()
    deadline = clock() + retry_seconds
    delay = 0.05
    while True:
        try:
            begin_for_write(session)
            result = step()
            session.commit()
            return result
        except OperationalError as error:
            session.rollback()
            if not is_lock_error(error) or clock() >= deadline:
                raise
            log.info("database busy; step retried in %.2fs", delay)
            sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 2.0)
