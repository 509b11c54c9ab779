"""Second factor: TOTP (an authenticator app) with one-time recovery codes.

Required for the roles that touch money and people's data (finance, manager, admin),
optional for the others. The secret is stored encrypted; recovery codes only as SHA-256
hashes (they are random, 50 bits each, so a fast hash is enough) and are shown once.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.people import sessions
from portal.people.models import User
from portal.people.permissions import Role

REQUIRED_ROLES = frozenset({Role.FINANCE, Role.MANAGER, Role.ADMIN})
ISSUER = "Athenas"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
INVALID_CODE = "Código inválido. Confira o código no aplicativo autenticador e tente novamente."


def is_required(user: User) -> bool:
    return Role(user.role) in REQUIRED_ROLES


def needs_enrolment(user: User) -> bool:
    """A user of a required role who has not proved a TOTP code yet."""
    return is_required(user) and not user.mfa_enabled


def new_secret() -> str:
    """A fresh secret for enrolment (kept by the caller until the user confirms a code)."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _clean(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _totp_ok(secret: str | None, code: str) -> bool:
    # One step of tolerance either side: phones' clocks drift.
    if not secret or not (code.isdigit() and len(code) == 6):
        return False
    return bool(pyotp.TOTP(secret).verify(code, valid_window=1))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def confirm_enrolment(session: Session, actor: Actor, user: User, secret: str, code: str | None) -> list[str]:
    """Enable MFA with `secret` once the user typed a valid code from it; returns the
    recovery codes (shown once)."""
    if user.mfa_enabled:
        raise DomainError("A verificação em duas etapas já está ativa.")
    if not _totp_ok(secret, _clean(code)):
        raise DomainError(INVALID_CODE, field="code")
    codes = _new_recovery_codes()
    user.mfa_secret = secret
    user.mfa_enabled_at = utcnow()
    user.mfa_recovery_codes = ",".join(_hash(_clean(c)) for c in codes)
    session.flush()
    audit.record(session, actor, "user.mfa_enabled", f"user:{user.id}")
    return codes


def verify(session: Session, actor: Actor, user: User, code: str | None) -> bool:
    """The login step: a TOTP code, or one unused recovery code (then spent)."""
    value = _clean(code)
    if not user.mfa_enabled:
        return False
    if _totp_ok(user.mfa_secret, value):
        return True
    remaining = (user.mfa_recovery_codes or "").split(",")
    digest = _hash(value)
    if value and digest in remaining:
        remaining.remove(digest)
        user.mfa_recovery_codes = ",".join(remaining) or None
        session.flush()
        audit.record(
            session, actor, "user.mfa_recovery_code_used", f"user:{user.id}", {"left": len(remaining)}
        )
        return True
    return False


def recovery_codes_left(user: User) -> int:
    return len([c for c in (user.mfa_recovery_codes or "").split(",") if c])


def reset(session: Session, actor: Actor, user: User) -> None:
    """Admin reset (lost phone): MFA off, sessions ended; a required role enrols again at
    the next login."""
    if user.mfa_secret is None and not user.mfa_enabled:
        raise DomainError("Este usuário não tem verificação em duas etapas configurada.")
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_recovery_codes = None
    user.auth_version += 1
    session.flush()
    sessions.registry().revoke_user(session, user.id)
    audit.record(session, actor, "user.mfa_reset", f"user:{user.id}")


def enrol_with_secret(session: Session, user: User, secret: str) -> None:
    """Demo seed only: enrol `user` with a known secret, without recovery codes."""
    user.mfa_secret = secret
    user.mfa_enabled_at = utcnow()
    session.flush()


def users_with_secret(session: Session, secret: str) -> list[str]:
    """E-mails of users whose TOTP secret is `secret` (secrets are encrypted, so each is
    decrypted and compared; only a start-up check uses this)."""
    rows = session.execute(select(User.email, User.mfa_secret).where(User.mfa_secret.is_not(None)))
    return [email for email, value in rows if value and secrets.compare_digest(value, secret)]
