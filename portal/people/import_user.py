"""Whose import it is: the user who sent the file (or `--user` on the command line), as
the actor of the records an import kind creates and the scope its rows are matched in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.imports import records
from portal.people.models import User


def import_user(session: Session, import_id: int) -> tuple[Actor, User]:
    """The import's user and its audit actor; an import without one is refused."""
    record = records.import_record(session, import_id)
    user = session.get(User, record.created_by_id) if record.created_by_id else None
    if user is None:
        raise DomainError("Esta importação precisa de um usuário (na linha de comando: --user).")
    return Actor(id=user.id, label=user.email), user
