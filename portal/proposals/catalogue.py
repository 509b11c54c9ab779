"""The pipeline's catalogue as the proposal page needs it (active pendency types, SLA limits
in force on a day), kept per process while it is current.

Every ORM flush that writes a pendency type, an SLA limit or a dated value stamps
`pipeline_catalogue_stamp` with a new random token, in the same transaction. The page reads
the token in its own statement; a process whose copy carries another token (or another day:
limits are dated) reads the catalogue again, so an edit shows on the next page in every
worker. A token is random rather than counted: a change rolled back leaves a token that
never comes back, so no copy made inside that transaction can be taken for a later one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    String,
    bindparam,
    cast,
    event,
    insert,
    literal,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, UOWTransaction

from portal.core.effective import EffectiveValue, in_force_select
from portal.proposals.pipeline_models import CatalogueStamp, PendencyType, SlaLimit

SLA_KEY = "sla_hours"  # `sla.KEY`: the dated SLA limits (read here, scheduled there)
WATCHED = (PendencyType, SlaLimit, EffectiveValue)


@dataclass(frozen=True, slots=True)
class TypeRow:
    """An active pendency type, offered by the form opening a pendency."""

    id: int
    name: str


@dataclass(frozen=True)
class Catalogue:
    token: int
    day: date
    types: list[TypeRow]  # active, by name as the database sorts them
    limit_rows: list[tuple[str, str | None, int]]  # (status, hours, 0 base / 1 version in force)


_copy: Catalogue | None = None  # this process's copy (replaced whole: safe across threads)


@event.listens_for(Session, "after_flush")
def _stamp(session: Session, _flush: UOWTransaction) -> None:
    if not any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        return
    token = secrets.randbits(62)
    connection = session.connection()
    if connection.execute(update(CatalogueStamp).values(token=token)).rowcount == 0:
        connection.execute(insert(CatalogueStamp).values(id=1, token=token))


def token_column() -> Any:
    """The current token, as a scalar subquery for the page's statement."""
    return select(CatalogueStamp.token).where(CatalogueStamp.id == 1).scalar_subquery()


@cache
def _statement() -> CompoundSelect:
    """Active types (kind 0) by name, then the base limits (order 0) and the versions in
    force on the day bound as `on` (order 1): built once, each read binds the day."""
    types = select(
        literal(0).label("kind"),
        PendencyType.id.label("id"),
        PendencyType.name.label("name"),
        cast(None, String).label("hours"),
        literal(0).label("ord"),
    ).where(PendencyType.active.is_(True))
    base = select(literal(1), literal(0), SlaLimit.status, cast(SlaLimit.hours, String), literal(0))
    dated = in_force_select(SLA_KEY, bindparam("on", type_=Date))
    scheduled = dated.with_only_columns(literal(1), literal(0), *dated.selected_columns, literal(1))
    return union_all(types, base, scheduled).order_by(literal_column("kind"), literal_column("name"))


def catalogue(session: Session, token: int | None, day: date) -> Catalogue:
    """The copy for (`token`, `day`), read again (one statement) when it is not this
    process's copy; `token` None (no stamp row) is never kept."""
    global _copy
    current = _copy
    if current is not None and token is not None and current.token == token and current.day == day:
        return current
    types: list[TypeRow] = []
    limit_rows: list[tuple[str, str | None, int]] = []
    for kind, id_, name, hours, order in session.execute(_statement(), {"on": day}):
        if kind == 0:
            types.append(TypeRow(id_, name))
        else:
            limit_rows.append((name, hours, order))
    fresh = Catalogue(token if token is not None else -1, day, types, limit_rows)
    if token is not None:
        _copy = fresh
    return fresh
