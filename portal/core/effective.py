"""Effective-dated values with history: one mechanism for every number that changes over
time and is not a regulatory parameter (SLA limits, reconciliation tolerance, ...).

A value is identified by a `key` (what: "sla_hours") and a `scope` (of what: a status, a bank
code, "" for a single value). Each row is a version valid from `valid_from` (inclusive) to
`valid_to` (exclusive, NULL while open). `schedule` only adds versions from today on: the
past is never edited. Scheduling again on the same start date supersedes the pending version
(kept as a zero-length row, so the history still shows who proposed what). Each version
remembers the value it replaced, so the history reads "old → new, by whom, when".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import BindParameter, Date, Index, Integer, Select, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.errors import DomainError

ACTION = "effective_value.scheduled"


class EffectiveValue(Base):
    """One version of a value of (`key`, `scope`); `value` NULL means "none" (e.g. no limit)."""

    __tablename__ = "effective_values"
    __table_args__ = (Index("ix_effective_values_key_scope_from", "key", "scope", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(60), default="")
    value: Mapped[str | None] = mapped_column(String(40))  # exact decimal text
    previous_value: Mapped[str | None] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_by_label: Mapped[str] = mapped_column(String(200), default="")

    @property
    def decimal(self) -> Decimal | None:
        return None if self.value is None else Decimal(self.value)

    @property
    def last_day(self) -> date | None:
        """The last day this version applies (`valid_to` is exclusive)."""
        return None if self.valid_to is None else self.valid_to - timedelta(days=1)

    @property
    def superseded(self) -> bool:
        """Replaced before it ever applied (a zero-length version)."""
        return self.valid_to is not None and self.valid_to <= self.valid_from


def _text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        raise DomainError("Valor inválido.", field="value") from None


def _in_force(on: date | BindParameter[date]):
    return (EffectiveValue.valid_from <= on) & or_(
        EffectiveValue.valid_to.is_(None), EffectiveValue.valid_to > on
    )


def values_on(session: Session, key: str, on: date) -> dict[str, Decimal | None]:
    """scope -> value in force on `on`, for every scope of `key` that has one (one query)."""
    rows = session.scalars(select(EffectiveValue).where(EffectiveValue.key == key, _in_force(on)))
    return {row.scope: row.decimal for row in rows}


def in_force_select(key: str, on: date | BindParameter[date]) -> Select:
    """`scope, value` (exact decimal text, NULL = none) of the versions of `key` in force on
    `on` (a day, or a bound parameter for a statement built once), for callers that read
    them in the same statement as their base values."""
    return select(EffectiveValue.scope, EffectiveValue.value).where(EffectiveValue.key == key, _in_force(on))


def version_on(session: Session, key: str, scope: str, on: date) -> EffectiveValue | None:
    stmt = select(EffectiveValue).where(
        EffectiveValue.key == key, EffectiveValue.scope == scope, _in_force(on)
    )
    return session.scalar(stmt.limit(1))


def history(session: Session, key: str, scope: str | None = None, limit: int = 200) -> list[EffectiveValue]:
    """Versions of `key` (of one scope, or all), newest start first."""
    stmt = select(EffectiveValue).where(EffectiveValue.key == key)
    if scope is not None:
        stmt = stmt.where(EffectiveValue.scope == scope)
    stmt = stmt.order_by(EffectiveValue.valid_from.desc(), EffectiveValue.id.desc()).limit(limit)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Scheduled:
    version: EffectiveValue
    replaced: Decimal | None


def schedule(
    session: Session,
    actor: Actor,
    *,
    key: str,
    scope: str,
    value: Decimal | None,
    valid_from: date,
    today: date,
    baseline: Decimal | None = None,
    note: str = "",
) -> Scheduled:
    """A new version of (`key`, `scope`) from `valid_from` (today or later) on.

    `baseline` is the value in force when no version exists yet (the old, undated setting),
    used for the "old → new" of the first version."""
    if valid_from < today:
        raise DomainError(
            f"A vigência deve começar hoje ({today:%d/%m/%Y}) ou depois: o passado não é alterado.",
            field="valid_from",
        )
    where = (EffectiveValue.key == key) & (EffectiveValue.scope == scope)
    later = session.scalar(
        select(EffectiveValue).where(where, EffectiveValue.valid_from > valid_from).limit(1)
    )
    if later is not None:
        raise DomainError(
            f"Já há um valor agendado a partir de {later.valid_from:%d/%m/%Y}: agende a partir "
            "dessa data ou depois.",
            field="valid_from",
        )
    current = session.scalar(select(EffectiveValue).where(where, _in_force(valid_from)).limit(1))
    replaced = baseline if current is None else current.decimal
    if current is not None:
        current.valid_to = valid_from  # ends the day before; same start = superseded
        if current.valid_from == valid_from:
            older = session.scalar(
                select(EffectiveValue).where(where, _in_force(valid_from - timedelta(days=1))).limit(1)
            )
            replaced = baseline if older is None else older.decimal
    version = EffectiveValue(
        key=key,
        scope=scope,
        value=_text(value),
        previous_value=_text(replaced),
        valid_from=valid_from,
        note=" ".join(note.split())[:200],
        created_by_id=actor.id,
        created_by_label=actor.label,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        ACTION,
        f"effective_value:{key}/{scope}" if scope else f"effective_value:{key}",
        {"from": version.previous_value, "to": version.value, "valid_from": valid_from.isoformat()},
    )
    return Scheduled(version, replaced)
