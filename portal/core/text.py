"""Comparable forms of text typed by people."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case-, accent- and spacing-free form: ``" CPF  Inválido"`` → ``"cpf invalido"``.

    Two names that fold alike are the same name to a reader (and SQL's `lower()` does not
    fold accents on every database, so uniqueness is kept on this form instead).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(plain.split())
