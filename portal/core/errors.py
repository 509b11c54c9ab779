"""Domain errors shared by every layer.

A :class:`DomainError` means "the request broke a business rule or carried bad input".
The web layer turns it into a 422 response that re-renders the form and shows
``message`` (always written in Portuguese, ready for the user) next to ``field``
when one is given. It must never surface as a 500.
"""

from __future__ import annotations


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
