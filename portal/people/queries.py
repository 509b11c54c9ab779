"""Reads of the people domain."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from portal.core.pagination import Page, keyset_page
from portal.people.models import User


def users_query(search: str = "", role: str = "", active: str = "") -> Select:
    """The filtered user list as a statement (shared by the page and its export)."""
    stmt = select(User)
    if search:
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.name.ilike(like)))
    if role:
        stmt = stmt.where(User.role == role)
    if active in ("1", "0"):
        stmt = stmt.where(User.active.is_(active == "1"))
    return stmt


def users_page(session: Session, cursor: str | None, per_page: int = 50, **filters: str) -> Page[User]:
    return keyset_page(session, users_query(**filters), [User.id], cursor, per_page)
