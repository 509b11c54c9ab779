"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.core.errors import DomainError

MIN_LENGTH = 10
MAX_LENGTH = 128  # Argon2 is slow by design; unbounded input would be a DoS lever.

_hasher = PasswordHasher()


def configure_hasher(cheap: bool) -> None:
    """Use minimal Argon2 parameters (tests only) or the library's secure defaults."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap else PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash."""
    if not password_hash:
        # Spend comparable time so unknown accounts are not revealed by timing.
        _hasher.hash(password or "x")
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, email: str) -> None:
    """Raise DomainError (field `password`) when the password breaks the policy."""
    if len(password) < MIN_LENGTH:
        raise DomainError(f"A senha deve ter pelo menos {MIN_LENGTH} caracteres.", field="password")
    if len(password) > MAX_LENGTH:
        raise DomainError(f"A senha deve ter no máximo {MAX_LENGTH} caracteres.", field="password")
    if password.strip().lower() == email.strip().lower():
        raise DomainError("A senha não pode ser igual ao e-mail.", field="password")


def generate_password() -> str:
    """A random temporary password that satisfies the policy."""
    return secrets.token_urlsafe(12)
