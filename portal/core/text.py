"""Comparable forms of text typed by people."""

from __future__ import annotations

import unicodedata

from portal.core.errors import DomainError


def fold(text: str) -> str:
    """Case-, accent- and spacing-free form: ``" CPF  Inválido"`` → ``"cpf invalido"``.

    Two names that fold alike are the same name to a reader (and SQL's `lower()` does not
    fold accents on every database, so uniqueness is kept on this form instead).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(plain.split())


def required(
    text: str | None,
    message: str,
    *,
    field: str = "reason",
    min_length: int = 5,
    max_length: int | None = 500,
) -> str:
    """Typed text on one line (spaces folded), cut at `max_length`; a `DomainError` on `field`
    with `message` when it is shorter than `min_length` (a reason that says nothing)."""
    clean = " ".join((text or "").split())
    if len(clean) < min_length:
        raise DomainError(message, field=field)
    return clean if max_length is None else clean[:max_length]
