"""Choices of the proposals list's filters, scoped to the user: the stores (a short list)
and the agent filter, a search with suggestions instead of every agent in the page."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from portal.core.text import fold
from portal.people.models import Collaborator, OrgUnit, User
from portal.people.scope import visible_collaborator_ids

STORES_MAX = 200
SUGGESTIONS_MAX = 10
MIN_TYPED = 2  # letters before suggestions are looked up
TYPED_MAX = 60


def _visible_agents(visible: Select | None) -> Select:
    stmt = select(Collaborator.id, Collaborator.name)
    return stmt if visible is None else stmt.where(Collaborator.id.in_(visible))


# Stores only, with the "is the agent" flag of the union below: built once.
_stores_only = cache(
    lambda: (
        select(OrgUnit.id, OrgUnit.name, literal(False))
        .where(OrgUnit.kind == "store")
        .order_by(OrgUnit.name, OrgUnit.id)
        .limit(STORES_MAX)
    )
)


def stores_and_agent(
    session: Session, user: User, agent_id: int | None
) -> tuple[list[tuple[int, str]], str | None]:
    """The store filter's `(id, name)` choices and the name of the chosen agent (None when
    none is chosen or the user may not see them), in one query."""
    stmt = _stores_only()
    if agent_id:
        agent = _visible_agents(visible_collaborator_ids(session, user)).where(Collaborator.id == agent_id)
        both = union_all(_stores_only().subquery().select(), agent.add_columns(literal(True))).subquery()
        # The agent's row last (its flag is true), the stores by name (a UNION keeps no order).
        stmt = select(both).order_by(both.c[2], both.c[1], both.c[0])
    stores: list[tuple[int, str]] = []
    agent_name = None
    for id_, name, is_agent in session.execute(stmt):
        if is_agent:
            agent_name = name
        else:
            stores.append((id_, name))
    return stores, agent_name


def _typed_words(typed: str) -> list[str]:
    return fold(typed[:TYPED_MAX]).split()


def enough_typed(typed: str) -> bool:
    """Whether `typed` has the MIN_TYPED letters a lookup needs (spaces not counted)."""
    return len("".join(_typed_words(typed))) >= MIN_TYPED


def agent_suggestions(session: Session, user: User, typed: str) -> list[tuple[int, str]]:
    """Up to SUGGESTIONS_MAX `(id, name)` of the collaborators the user may see whose name
    holds every typed word, ignoring case and accents ("joao sil" finds "João da Silva");
    names starting with the typed text first. Nothing below MIN_TYPED letters.

    Matched here, not in SQL: accent folding differs between databases (no `unaccent` on
    SQLite), and a company has hundreds to a few thousand collaborators, read only when
    someone types in the field."""
    if not enough_typed(typed):
        return []
    words = _typed_words(typed)
    wanted = " ".join(words)
    stmt = _visible_agents(visible_collaborator_ids(session, user)).order_by(
        Collaborator.name, Collaborator.id
    )
    starting, containing = [], []
    for id_, name in session.execute(stmt):
        key = fold(name)
        if key.startswith(wanted):
            starting.append((id_, name))
        elif all(word in key for word in words):
            containing.append((id_, name))
    return (starting + containing)[:SUGGESTIONS_MAX]
