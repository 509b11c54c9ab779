"""Account writes: create, deactivate, reset and change passwords, authenticate.

Every function validates, changes state, writes the audit entry and flushes; the caller
(request, job or CLI command) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core import audit, passwords
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.people import sessions
from portal.people.models import User
from portal.people.permissions import Role

NAME_MAX = 120


def normalize_email(raw: str) -> str:
    """Lower-cased, syntax-checked e-mail (no DNS lookup)."""
    from email_validator import EmailNotValidError, validate_email  # compiles many regexes: on first use

    value = (raw or "").strip()
    if len(value) > 254:
        raise DomainError("O e-mail deve ter no máximo 254 caracteres.", field="email")
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError("Informe um e-mail válido.", field="email") from None


def _clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise DomainError("Informe o nome.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"O nome deve ter no máximo {NAME_MAX} caracteres.", field="name")
    return name


def _clean_role(raw: str) -> str:
    try:
        return Role(raw).value
    except ValueError:
        raise DomainError("Perfil inválido.", field="role") from None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Usuário não encontrado.")
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    active: bool = True,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account. Without `password`, a temporary one is generated and returned
    (shown once) and the user must choose a new one at first login."""
    email = normalize_email(email)
    name = _clean_name(name)
    role = _clean_role(role)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError("Já existe um usuário com este e-mail.", field="email")
    temporary = None
    if password is None:
        temporary = password = passwords.generate_password()
    passwords.check_policy(password, email, name)
    user = User(
        email=email,
        name=name,
        role=role,
        active=active,
        password_hash=passwords.hash_password(password),
        must_change_password=temporary is not None,
        auth_version=1,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", f"user:{user.id}", {"role": role, "active": active})
    return user, temporary


def deactivate_user(session: Session, actor: Actor, user: User) -> None:
    if actor.id == user.id:
        raise DomainError("Você não pode desativar a sua própria conta.")
    if not user.active:
        raise DomainError("Este usuário já está desativado.")
    user.active = False
    user.auth_version += 1  # ends the user's open sessions
    session.flush()
    sessions.registry().revoke_user(session, user.id)
    audit.record(session, actor, "user.deactivated", f"user:{user.id}")


def activate_user(session: Session, actor: Actor, user: User) -> None:
    if user.active:
        raise DomainError("Este usuário já está ativo.")
    user.active = True
    session.flush()
    audit.record(session, actor, "user.activated", f"user:{user.id}")


def reset_password(session: Session, actor: Actor, user: User) -> str:
    """Give the user a temporary password (returned once) to be changed at next login."""
    temporary = passwords.generate_password()
    user.password_hash = passwords.hash_password(temporary)
    user.must_change_password = True
    user.auth_version += 1
    session.flush()
    sessions.registry().revoke_user(session, user.id)
    audit.record(session, actor, "user.password_reset", f"user:{user.id}")
    return temporary


def change_password(
    session: Session,
    actor: Actor,
    user: User,
    current: str,
    new: str,
    confirm: str,
    keep_session: str | None = None,
) -> None:
    """The user's own change: needs the current password; the new one must differ. Every
    other session of the user ends; `keep_session` (the caller's token) stays open."""
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError("Senha atual incorreta.", field="current_password")
    if new != confirm:
        raise DomainError("A confirmação não confere com a nova senha.", field="confirm")
    if new == current:
        raise DomainError("A nova senha deve ser diferente da atual.", field="password")
    passwords.check_policy(new, user.email, user.name)
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    user.auth_version += 1
    session.flush()
    sessions.registry().revoke_user(session, user.id, keep_token=keep_session)
    audit.record(session, actor, "user.password_changed", f"user:{user.id}")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None


def authenticate(session: Session, email: str, password: str, ip: str | None) -> LoginResult:
    """Check credentials and audit the outcome (success or failure)."""
    user = find_by_email(session, email or "")
    ok = passwords.verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        label = (email or "").strip().lower()[:200]
        reason = "inactive" if (ok and user is not None) else "bad_credentials"
        audit.record(
            session,
            Actor(id=user.id if user else None, label=label, ip=ip),
            "login.failed",
            f"user:{user.id}" if user else "user:?",
            {"reason": reason},
        )
        message = (
            "Usuário desativado. Procure o administrador."
            if reason == "inactive"
            else "E-mail ou senha inválidos."
        )
        return LoginResult(None, message)
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    audit.record(session, Actor(id=user.id, label=user.email, ip=ip), "login.succeeded", f"user:{user.id}")
    return LoginResult(user, None)


def user_ids_named(session: Session, text: str, limit: int = 500) -> tuple[int, ...]:
    """Ids of the users whose name contains `text` (case-insensitive), for filters."""
    stmt = select(User.id).where(User.name.ilike(f"%{text}%")).limit(limit)
    return tuple(session.scalars(stmt))
