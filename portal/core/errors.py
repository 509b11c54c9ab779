"""Domain errors shared by every layer.

A :class:`DomainError` means "the request broke a business rule or carried bad input".
The web layer turns it into a 422 response that re-renders the form and shows
``message`` (always written in Portuguese, ready for the user) next to ``field``
when one is given. It must never surface as a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

class DomainError(Exception):
    """A business rule was broken; ``message`` is shown to the user as is."""

    default_message = "Não foi possível concluir a operação."

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        self.message: str = message or self.default_message
        self.field: str | None = field
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


class NotFound(DomainError):
    """The record does not exist or is outside the actor's scope."""

    default_message = "Registro não encontrado."


class Forbidden(DomainError):
    """The actor may not perform this action."""

    default_message = "Você não tem permissão para esta operação."


class Conflict(DomainError):
    """Concurrent change (optimistic locking) or duplicate record."""

    default_message = (
        "O registro foi alterado por outra pessoa ou já existe. "
        "Recarregue a página e tente de novo."
    )


class ServiceUnavailable(DomainError):
    """A service the operation needs (queue, remote bank) is down; shown as a 503."""

    default_message = "Um serviço necessário está fora do ar. Tente novamente em instantes."


class FieldErrors(DomainError):
    """Several fields are wrong at once: `errors` holds one DomainError per problem, so a
    form shows them all in one go instead of one per submit."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class ErrorCollector:
    """Run checks, keep going after a failure, raise every failure together at the end."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, check: Callable[..., T], *args: Any) -> T | None:
        try:
            return check(*args)
        except FieldErrors as several:
            self.errors.extend(several.errors)
        except DomainError as error:
            self.errors.append(error)
        return None

    def failed(self, field: str) -> bool:
        return any(error.field == field for error in self.errors)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)
