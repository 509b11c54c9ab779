"""Input cleaning shared by the people services: every failure is a DomainError with a
Portuguese message bound to the form field, so nothing half-valid reaches the database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from portal.core import documents
from portal.core.errors import DomainError
from portal.people.services import normalize_email


def text(raw: str | None, field: str, label: str, max_len: int, required: bool = True) -> str | None:
    """Trimmed text with inner whitespace collapsed; accents and apostrophes kept as typed."""
    value = " ".join((raw or "").split())
    if documents.CONTROL_CHARACTERS.search(value):
        raise DomainError("Caracteres inválidos.", field=field)
    if not value:
        if required:
            raise DomainError(f"Informe {label}.", field=field)
        return None
    if len(value) > max_len:
        raise DomainError(f"Máximo de {max_len} caracteres.", field=field)
    return value


def cpf(raw: str | None, field: str = "cpf") -> str:
    value = (raw or "").strip()
    if len(value) > 20 or not documents.is_valid_cpf(value):
        raise DomainError("CPF inválido.", field=field)
    return documents.normalize_cpf(value)


def cnpj(raw: str | None, field: str = "cnpj") -> str:
    value = (raw or "").strip()
    if len(value) > 20 or not documents.is_valid_cnpj(value):
        raise DomainError("CNPJ inválido.", field=field)
    return documents.normalize_cnpj(value)


def cep(raw: str | None, field: str = "cep") -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > 10 or not documents.is_valid_cep(value):
        raise DomainError("CEP inválido.", field=field)
    return documents.normalize_cep(value)


def phone(raw: str | None, field: str = "phone") -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > 25:
        raise DomainError("Telefone inválido.", field=field)
    try:
        return documents.normalize_phone(value)
    except ValueError as error:
        raise DomainError(str(error), field=field) from None


def email(raw: str | None, field: str = "email") -> str | None:
    if not (raw or "").strip():
        return None
    try:
        return normalize_email(raw or "")
    except DomainError as error:
        raise DomainError(error.message, field=field) from None


def choice(raw: str | None, allowed: Collection[str], field: str, message: str) -> str:
    if raw not in allowed:
        raise DomainError(message, field=field)
    return str(raw)


def date_order(start: date | None, end: date | None, field: str, message: str) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError(message, field=field)
