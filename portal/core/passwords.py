"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.core.errors import DomainError

MIN_LENGTH = 10
MAX_LENGTH = 128  # Argon2 is slow by design; unbounded input would be a DoS lever.
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
PERSONAL_PART_MIN = 4  # shorter name parts ("Ana", "Sá") are too common to refuse
COMMON_MESSAGE = "Esta senha está entre as mais usadas e é fácil de adivinhar. Escolha outra."
PERSONAL_MESSAGE = "A senha não pode ser formada pelo seu nome ou pelo seu e-mail."

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


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (see the file's header for its source), lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _fold(value: str) -> str:
    """Lower case without accents: "Conceição" and "CONCEICAO" compare equal."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _personal_parts(email: str, name: str | None) -> set[str]:
    """Name words and the e-mail's local part (whole and split at . _ - +)."""
    local = _fold(email.strip()).split("@", 1)[0]
    parts = {local, *local.replace("_", ".").replace("-", ".").replace("+", ".").split(".")}
    parts.update(_fold(name or "").replace("'", " ").split())
    return {part for part in parts if len(part) >= PERSONAL_PART_MIN}


def _is_common(folded: str) -> bool:
    listed = common_passwords()
    # "Password123!" is "password123" with a symbol on the end: refuse it too.
    return folded in listed or folded.rstrip("!@#$%&*.?") in listed


def check_policy(password: str, email: str, name: str | None = None) -> None:
    """Raise DomainError (field `password`) when the password breaks the policy: too short
    or long, the e-mail itself, one of the most common passwords, or built from the user's
    name or e-mail (case and accents ignored)."""
    if len(password) < MIN_LENGTH:
        raise DomainError(f"A senha deve ter pelo menos {MIN_LENGTH} caracteres.", field="password")
    if len(password) > MAX_LENGTH:
        raise DomainError(f"A senha deve ter no máximo {MAX_LENGTH} caracteres.", field="password")
    if password.strip().lower() == email.strip().lower():
        raise DomainError("A senha não pode ser igual ao e-mail.", field="password")
    folded = _fold(password.strip())
    if _is_common(folded):
        raise DomainError(COMMON_MESSAGE, field="password")
    if any(part in folded for part in _personal_parts(email, name)):
        raise DomainError(PERSONAL_MESSAGE, field="password")


def generate_password() -> str:
    """A random temporary password that satisfies the policy."""
    return secrets.token_urlsafe(12)
