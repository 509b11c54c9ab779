"""Plain factory functions: real rows through real services where it matters."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from portal.core import passwords
from portal.people.models import User

PASSWORD = "senha-de-teste-123"  # noqa: S105
_seq = itertools.count(1)


def user(session: Session, role: str = "agent", **fields: object) -> User:
    n = next(_seq)
    values: dict[str, object] = {
        "email": f"usuario{n}@teste.athenas",
        "name": f"Usuário {n}",
        "role": role,
        "active": True,
        "password_hash": passwords.hash_password(PASSWORD),
        "must_change_password": False,
        "auth_version": 1,
    }
    values.update(fields)
    obj = User(**values)
    session.add(obj)
    session.flush()
    return obj
