"""Append-only, hash-chained audit log.

Each entry stores the SHA-256 of its own canonical content plus the previous entry's hash,
so editing, deleting or reordering any row breaks the chain from that row on.
`verify_chain` walks the table in id order and names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import JSON, Integer, String, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    """One audited fact: who did what to which target, from where, when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id and a readable label (or a system process)."""

    id: int | None
    label: str
    ip: str | None = None


SYSTEM = Actor(id=None, label="sistema")


def _canonical(entry: AuditEntry) -> str:
    stamp = entry.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    payload = [
        stamp,
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.target,
        entry.ip,
        entry.details or {},
        entry.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry).encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    # Serialise appends on PostgreSQL so two requests never fork the chain.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(724001)"))


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the chain and flush it. Never put personal data in `details`."""
    _lock_chain(session)
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        occurred_at=utcnow(),
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        target=target,
        ip=actor.ip,
        details=details or {},
        prev_hash=last or GENESIS,
    )
    entry.hash = compute_hash(entry)
    session.add(entry)
    session.flush()
    return entry


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=_Identified)


def add_recorded(
    session: Session, actor: Actor, row: R, action: str, kind: str, details: dict[str, Any]
) -> R:
    """Add a new `row`, flush it for its id and audit `action` on the target `<kind>:<id>`."""
    session.add(row)
    session.flush()
    record(session, actor, action, f"{kind}:{row.id}", details)
    return row


def entries_query(action: str = "", target: str = ""):
    """Audit entries, optionally of one action and/or one target (for the log pages)."""
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target:
        stmt = stmt.where(AuditEntry.target == target)
    return stmt


@dataclass(frozen=True)
class EntryFilter:
    """The log page's filters: actor text, action codes, target kind/key, period (UTC bounds)."""

    actor: str = ""
    actor_ids: tuple[int, ...] = ()  # users whose name matches `actor` (resolved by the caller)
    actions: tuple[str, ...] = ()
    target_kind: str = ""
    target_key: str = ""
    since: datetime | None = None
    until: datetime | None = None


def filtered_entries(filters: EntryFilter):
    """Audit entries matching every given filter (empty filters match everything)."""
    stmt = select(AuditEntry)
    if filters.actor:
        by_label = AuditEntry.actor_label.ilike(f"%{_escape_like(filters.actor)}%", escape="\\")
        stmt = stmt.where(
            by_label | AuditEntry.actor_id.in_(filters.actor_ids) if filters.actor_ids else by_label
        )
    if filters.actions:
        stmt = stmt.where(AuditEntry.action.in_(filters.actions))
    if filters.target_kind and filters.target_key:
        stmt = stmt.where(AuditEntry.target == f"{filters.target_kind}:{filters.target_key}")
    elif filters.target_kind:
        stmt = stmt.where(
            (AuditEntry.target == filters.target_kind)
            | AuditEntry.target.like(f"{_escape_like(filters.target_kind)}:%", escape="\\")
        )
    elif filters.target_key:
        stmt = stmt.where(AuditEntry.target.like(f"%:{_escape_like(filters.target_key)}", escape="\\"))
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.occurred_at < filters.until)
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def history_of(session: Session, target: str, limit: int = 50) -> list[AuditEntry]:
    """The latest entries about one target, newest first."""
    stmt = entries_query(target=target).order_by(AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _stream(session: Session, batch: int) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session, batch: int = 1000) -> ChainReport:
    """Recompute every hash in id order; report the first entry that does not match."""
    expected_prev = GENESIS
    checked = 0
    for entry in _stream(session, batch):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked, entry.id, "elo anterior não confere (registro removido ou reordenado)"
            )
        if compute_hash(entry) != entry.hash:
            return ChainReport(checked, entry.id, "conteúdo alterado")
        expected_prev = entry.hash
        checked += 1
    return ChainReport(checked, None, None)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """The ORM never updates or deletes audit entries."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("audit entries are append-only")


def last_entry_of(session: Session, action: str) -> AuditEntry | None:
    """The newest entry of `action` (e.g. the last chain verification), or None."""
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()).limit(1)
    return session.scalar(stmt)
